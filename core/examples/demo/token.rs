//! The token run: SoftHSM as `scripts/hsm.sh` sets it up (the "bankkey" token and its PIN).
//! GOST (CryptoPro-A, the only GOST set SoftHSM knows) when the GOST build is there, ECDSA
//! P-256 with Debian's SoftHSM otherwise.

use bankkey::gost::ParamSet;
use bankkey::key::KeyAlgorithm;
use bankkey::store::KeyStore;
use bankkey::store::pkcs11::{LoginOptions, Pkcs11Module, TokenSelector};
use secrecy::SecretString;

/// A logged-in token, the algorithm to generate on it, and what to call it.
pub struct TokenRun {
    /// The token.
    pub store: Box<dyn KeyStore>,
    /// GOST CryptoPro-A, or ECDSA P-256 on Debian's SoftHSM.
    pub algorithm: KeyAlgorithm,
    /// The medium's name for the output.
    pub what: String,
}

/// The token run; `None` when SoftHSM is not configured in the environment.
pub fn softhsm() -> bankkey::Result<Option<TokenRun>> {
    if std::env::var_os("SOFTHSM2_CONF").is_none() {
        return Ok(None);
    }
    let pin = match std::env::var("BANKKEY_SOFTHSM_PIN") {
        Ok(p) => SecretString::from(p),
        Err(_) => return Ok(None),
    };
    let (module, algorithm, what) = match (
        std::env::var_os("BANKKEY_SOFTHSM_GOST_MODULE"),
        std::env::var_os("BANKKEY_SOFTHSM_MODULE"),
    ) {
        (Some(m), _) => (
            m,
            KeyAlgorithm::Gost(ParamSet::CryptoProA),
            "SoftHSM2 (GOST), токен «bankkey» / token \"bankkey\"",
        ),
        (None, Some(m)) => (
            m,
            KeyAlgorithm::EcdsaP256,
            "SoftHSM2 (ECDSA P-256), токен «bankkey» / token \"bankkey\"",
        ),
        (None, None) => return Ok(None),
    };
    let module = Pkcs11Module::load(&module)?;
    let token = module.open_token(&TokenSelector::Label("bankkey".into()))?;
    token.login(&pin, LoginOptions::default())?;
    Ok(Some(TokenRun {
        store: Box::new(token),
        algorithm,
        what: what.to_owned(),
    }))
}
