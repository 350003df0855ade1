//! Gives `libbankkey.so` its SONAME, as C libraries have: `libbankkey.so.0.1` while the
//! version is 0.x (every 0.x minor may break the ABI), `libbankkey.so.N` from 1.0 (the major
//! alone). The same rule as cargo-c; `scripts/install-c.sh` installs the links to match.

fn main() {
    let major: u32 = env!("CARGO_PKG_VERSION_MAJOR").parse().unwrap_or(0);
    let minor = env!("CARGO_PKG_VERSION_MINOR");
    let soname = if major == 0 {
        format!("libbankkey.so.0.{minor}")
    } else {
        format!("libbankkey.so.{major}")
    };
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" || os.ends_with("bsd") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
