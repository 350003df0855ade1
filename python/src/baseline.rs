//! The Rust side of the layer benchmark (`bench/python/bench_scan.py`): the operation a
//! binding call wraps, repeated inside Rust with no Python in the loop, in the same build, so
//! that the cost of the Python layer is the difference. Not public API (underscore name).

use std::hint::black_box;
use std::time::Instant;

use pyo3::prelude::*;

use crate::convert::input_bytes;
use crate::errors::invalid_argument;
use crate::pki::PublicKey;

/// Runs `op` (`"inspect"` of `data` with `at`/`trust`, or `"verify"` of `signature` over
/// `data` with `key`) `iterations` times inside Rust, without the GIL; returns the seconds.
#[pyfunction]
#[pyo3(signature = (op, iterations, *, data=None, at=None, trust=None, key=None, signature=None))]
#[allow(clippy::too_many_arguments)]
pub fn _rust_baseline(
    py: Python<'_>,
    op: &str,
    iterations: usize,
    data: Option<&Bound<'_, PyAny>>,
    at: Option<&Bound<'_, PyAny>>,
    trust: Option<&Bound<'_, PyAny>>,
    key: Option<&PublicKey>,
    signature: Option<&[u8]>,
) -> PyResult<f64> {
    let data = match data {
        Some(d) => input_bytes(d, "data")?.into_owned(),
        None => return Err(invalid_argument("data", "data is needed")),
    };
    match op {
        "inspect" => {
            let options = crate::report::options(at, trust, None, None, None)?;
            Ok(py.detach(|| {
                let t = Instant::now();
                for _ in 0..iterations {
                    black_box(bankkey::report::inspect(black_box(&data), &options));
                }
                t.elapsed().as_secs_f64()
            }))
        }
        "verify" => {
            let (Some(key), Some(sig)) = (key, signature) else {
                return Err(invalid_argument("key", "verify needs key and signature"));
            };
            let key = key.inner.clone();
            let alg = key.algorithm().signature_algorithm();
            Ok(py.detach(|| {
                let t = Instant::now();
                for _ in 0..iterations {
                    let _ = black_box(key.verify(&alg, black_box(&data), black_box(sig)));
                }
                t.elapsed().as_secs_f64()
            }))
        }
        _ => Err(invalid_argument("op", "op is inspect or verify")),
    }
}
