//! Private-key bytes are wiped before their memory is freed (issue 13, defect 11: the decoded
//! bytes of a plain private-key PEM were not). A global allocator that, while armed, looks
//! into every block freed for the key's scalar: reading a PEM key, inspecting it, and a PEM
//! whose Base64 breaks after the key must leave no freed block holding it. (Copies on the
//! stack are not seen by this test.)
//!
//! One test function: the allocator watches the whole process.

#![allow(unsafe_code)] // the watching allocator: the only way to see what freed memory held

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};

use bankkey::gost::ParamSet;
use bankkey::key::{KeyAlgorithm, SoftwareKey};

struct Watching;

const NEEDLE_LEN: usize = 32;
static ARMED: AtomicBool = AtomicBool::new(false);
static NEEDLE: [AtomicU8; NEEDLE_LEN] = [const { AtomicU8::new(0) }; NEEDLE_LEN];
static FOUND: AtomicUsize = AtomicUsize::new(0);

fn holds_needle(block: &[u8]) -> bool {
    let needle: [u8; NEEDLE_LEN] = core::array::from_fn(|i| NEEDLE[i].load(Ordering::Relaxed));
    block.windows(NEEDLE_LEN).any(|w| w == needle)
}

// SAFETY: every call is passed on to the system allocator unchanged; `dealloc` only reads the
// block it is given (valid for `layout.size()` bytes until it is freed just after).
unsafe impl GlobalAlloc for Watching {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARMED.load(Ordering::Relaxed) && layout.size() >= NEEDLE_LEN {
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            if holds_needle(block) {
                FOUND.fetch_add(1, Ordering::Relaxed);
            }
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Watching = Watching;

/// Runs `f` with the allocator armed; returns how many freed blocks held the needle.
fn freed_copies(f: impl FnOnce()) -> usize {
    FOUND.store(0, Ordering::SeqCst);
    ARMED.store(true, Ordering::SeqCst);
    f();
    ARMED.store(false, Ordering::SeqCst);
    FOUND.load(Ordering::SeqCst)
}

#[test]
fn private_key_bytes_are_wiped_before_they_are_freed() {
    let key = SoftwareKey::generate(KeyAlgorithm::Gost(ParamSet::Tc26_256B)).unwrap();
    // OpenSSL's form: the scalar is the last 32 bytes of the PrivateKeyInfo.
    let der = key.to_pkcs8_der();
    for (slot, b) in NEEDLE.iter().zip(&der[der.len() - NEEDLE_LEN..]) {
        slot.store(*b, Ordering::Relaxed);
    }
    let pem = key.to_pkcs8_pem().to_string();
    drop(der);
    drop(key);

    // The watch works: a plain Vec holding the scalar is seen when freed.
    let seen = freed_copies(|| {
        let copy: Vec<u8> = (0..NEEDLE_LEN)
            .map(|i| NEEDLE[i].load(Ordering::Relaxed))
            .collect();
        drop(std::hint::black_box(copy));
    });
    assert_eq!(seen, 1);

    let n = freed_copies(|| {
        let key = SoftwareKey::from_pkcs8_pem(&pem).unwrap();
        drop(key);
    });
    assert_eq!(
        n, 0,
        "SoftwareKey::from_pkcs8_pem left {n} copies of the key"
    );

    let n = freed_copies(|| {
        let report = bankkey::report::inspect(pem.as_bytes(), &Default::default());
        assert!(report.public_key.is_some());
    });
    assert_eq!(n, 0, "report::inspect left {n} copies of the key");

    // The Base64 breaks after the key has been decoded (inside the public key of an RFC 5958
    // v2 PrivateKeyInfo, which follows the scalar): an error, and nothing left behind.
    let v2 = {
        use der::{Decode, Encode};
        let key = SoftwareKey::from_pkcs8_pem(&pem).unwrap();
        let v1 = key.to_pkcs8_der();
        let mut info = pkcs8::PrivateKeyInfoRef::from_der(&v1).unwrap();
        let bits = key.public_key().key_bits();
        info.public_key = Some(der::asn1::BitStringRef::from_bytes(&bits).unwrap());
        let der = info.to_der().unwrap();
        let text = der::pem::encode_string("PRIVATE KEY", der::pem::LineEnding::LF, &der).unwrap();
        SoftwareKey::from_pkcs8_pem(&text).unwrap();
        text
    };
    let at = v2.find("-----END").unwrap() - 6;
    let mut broken = v2.clone();
    broken.replace_range(at..at + 1, "!");
    let n = freed_copies(|| {
        assert!(SoftwareKey::from_pkcs8_pem(&broken).is_err());
        assert!(bankkey::pki::pem::blocks(broken.as_bytes()).is_err());
    });
    assert_eq!(n, 0, "a broken PEM left {n} copies of the key");
}
