//! [`Pkcs11Token`] as a [`KeyStore`].

use super::keygen::TokenKeySpec;
use super::token::Pkcs11Token;
use crate::Result;
use crate::key::{KeyAlgorithm, Signer, SoftwareKey};
use crate::store::{KeySet, KeyStore};

impl KeyStore for Pkcs11Token {
    fn description(&self) -> String {
        let i = self.info();
        format!(
            "token «{}» ({} {}, serial {})",
            i.label, i.manufacturer, i.model, i.serial
        )
    }

    fn generate(&self, algorithm: KeyAlgorithm, label: &str) -> Result<KeySet> {
        algorithm.check_can_sign()?;
        self.generate_key_pair(&TokenKeySpec::from(algorithm), label)
    }

    fn import_key(&self, key: &SoftwareKey, label: &str) -> Result<KeySet> {
        Pkcs11Token::import_key(self, key, label)
    }

    fn key_sets(&self) -> Result<Vec<KeySet>> {
        Pkcs11Token::key_sets(self)
    }

    fn signer(&self, id: &[u8]) -> Result<Box<dyn Signer>> {
        Ok(Box::new(Pkcs11Token::signer(self, id)?))
    }

    fn install_certificate(&self, cert_der: &[u8], id: Option<&[u8]>) -> Result<KeySet> {
        Pkcs11Token::install_certificate(self, cert_der, id, None)
    }

    fn find_by_certificate(&self, cert_der: &[u8]) -> Result<Option<KeySet>> {
        Pkcs11Token::find_by_certificate(self, cert_der)
    }

    fn retire(&self, id: &[u8]) -> Result<()> {
        Pkcs11Token::retire(self, id)
    }

    fn delete(&self, id: &[u8]) -> Result<()> {
        Pkcs11Token::delete(self, id)
    }
}
