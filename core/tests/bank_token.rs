//! The bank issues with its CA key on a token (SoftHSM over PKCS#11): the signer is any
//! `Box<dyn Signer>`, a software key or a token key alike.

mod bank_support;

use bank_support::common::hsm::*;
use bank_support::*;
use bankkey::bank::{Bank, Registry};
use bankkey::key::Signer;
use bankkey::lifecycle::{Flow, RequestStatus};
use bankkey::pki::CertificateBuilder;
use bankkey::store::pkcs11::{LoginOptions, Pkcs11Module, TokenKeySpec};
use time::Duration;

#[test]
fn the_bank_issues_with_a_ca_key_on_a_token() {
    let _g = lock();
    let Some(path) = softhsm_module(
        "BANKKEY_SOFTHSM_MODULE",
        "SoftHSM not set up: run `eval \"$(bash scripts/hsm.sh --no-gost)\"` first",
    ) else {
        return;
    };
    let module = Pkcs11Module::load(&path).unwrap();
    let token = fresh_token(&module, &unique("bank-ca"), USER_PIN);
    token
        .login(&pin(USER_PIN), LoginOptions::default())
        .unwrap();
    let set = token
        .generate_key_pair(&TokenKeySpec::EcdsaP256, "bank-ca")
        .unwrap();
    let ca_key = token.signer(&set.id).unwrap();
    let from = t0() - Duration::days(100);
    let ca_cert = CertificateBuilder::new(&ca_subject("Банк УЦ на токене"), &ca_key.public_key())
        .unwrap()
        .ca(None)
        .validity(from, from + Duration::days(3650))
        .sign(None, &ca_key)
        .unwrap();
    let mut bank = Bank::new(
        Registry::in_memory().unwrap(),
        ca_cert.clone(),
        Box::new(ca_key),
    )
    .unwrap();
    bank.preregister(&petrov(), t0()).unwrap();
    let k = key();
    let r = bank
        .receive(Flow::PaperActs, request(&petrov(), &k).der(), t0())
        .unwrap();
    assert_eq!(
        r.status,
        RequestStatus::AwaitingPaperDocuments,
        "{:?}",
        r.rejection
    );
    bank.paper_act_received(&r.request_id, Ok(()), t0())
        .unwrap();
    let cert = bank.issue(&r.request_id, t0()).unwrap();
    cert.verify_issued_by(&ca_cert).unwrap();
    assert!(cert.holds_key(&k.public_key()));
    assert_eq!(
        cert.signature_algorithm().oid,
        bankkey::oid::ECDSA_WITH_SHA256
    );
    // Logged out, the token signs no more: issuing fails with the token's error, and the
    // request keeps waiting to be issued.
    bank.preregister(&ivanov(), t0()).unwrap();
    let r2 = bank
        .receive(Flow::PaperActs, request(&ivanov(), &key()).der(), t0())
        .unwrap();
    bank.paper_act_received(&r2.request_id, Ok(()), t0())
        .unwrap();
    token.logout().unwrap();
    assert!(bank.issue(&r2.request_id, t0()).is_err());
    assert_eq!(
        bank.request(&r2.request_id).unwrap().status,
        RequestStatus::AwaitingPaperDocuments
    );
}
