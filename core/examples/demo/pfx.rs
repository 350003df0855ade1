//! Flow 4 (issue 16): the client's current key travels as a PFX. The key set in use is
//! exported from the flash drive in the standard profile (Р 50.1.112-2016: what CryptoPro CSP
//! exports and `certmgr -install -pfx` reads), imported into a new program's file container,
//! and the remote regeneration (seed 002) starts from it there: the bank accepts the request
//! signed by the imported key.

use bankkey::bank::Bank;
use bankkey::lifecycle::{Client, DEFAULT_REPLACEMENT_WINDOW_DAYS, Flow, RequestStatus};
use bankkey::pfx::{Pfx, PfxOptions};
use time::{Duration, OffsetDateTime};

use crate::parties::World;
use crate::show::Show;
use crate::{ClientRun, write};

/// The PFX's password in the demo.
pub const PFX_PASSWORD: &str = "Пароль для PFX";

/// No outgoing document is «подписан» in the new program.
struct NoOutgoing;

impl bankkey::lifecycle::OutgoingDocuments for NoOutgoing {
    fn signed_unsent(&self) -> bankkey::Result<Vec<String>> {
        Ok(Vec::new())
    }
}

/// Exports the key set in use of `old` (the client of `run`, on its flash drive) to a PFX,
/// imports it into a new file container, and runs the remote regeneration from it at `at`.
pub fn moved_by_pfx(
    run: &ClientRun,
    old: &Client,
    bank: &mut Bank,
    world: &World,
    at: OffsetDateTime,
    show: &mut Show,
) -> bankkey::Result<()> {
    let out = run.out.join("4-pfx");
    std::fs::create_dir_all(&out)?;
    show.note(
        "Ключ переносится в другую программу через PFX / the key moves to another program as \
         a PFX (Р 50.1.112-2016)",
    );
    let current = old.current_key_set()?.ok_or_else(|| {
        bankkey::Error::new(bankkey::ErrorKind::Internal, "no key set in use to export")
    })?;
    let options = PfxOptions {
        friendly_name: Some(run.subject.to_string()),
        ..PfxOptions::default()
    };
    let flash = world.open_file_container(&run.out.join("flash"))?;
    let der = Pfx::export(&flash, &current.id, PFX_PASSWORD, &options)?;
    write(&out.join("current-key.p12"), &der, show)?;

    let new_store = world.file_container(&out.join("new-flash"))?;
    let pfx = Pfx::from_der(&der, PFX_PASSWORD)?;
    let set = pfx.import_into(&new_store, "ключ из PFX")?;
    show.note(&format!(
        "ключ и сертификат импортированы / key and certificate imported: key set {}",
        set.id_hex()
    ));
    let journal = bankkey::lifecycle::SqliteJournal::open(out.join("client-journal.sqlite"))?;
    let mut client = Client::open(Box::new(new_store), Box::new(journal))?;
    client.set_trust_anchors(vec![bank.ca_certificate().clone()]);

    show.flow(Flow::Remote, "ключ из PFX / key out of a PFX", at);
    show.key_set(&client.assess(at, DEFAULT_REPLACEMENT_WINDOW_DAYS)?);
    let r = client.start(Flow::Remote, run.algorithm, &run.subject, at)?;
    show.status(r.status(), &format!("request {}", r.id()));
    let r = client.sign(r.id(), &NoOutgoing, at)?;
    show.status(
        r.status(),
        "CMS SignedData by the key imported from the PFX",
    );
    let bytes = client.send(r.id(), at)?;
    show.status(RequestStatus::Sent, "");
    write(&out.join("signed-request.p7s"), &bytes, show)?;
    let t_bank = at + Duration::minutes(2);
    let received = bank.receive(Flow::Remote, &bytes, t_bank)?;
    show.bank_received(&received);
    if let Some(rejection) = &received.rejection {
        return Err(bankkey::Error::new(
            rejection.reason.error_kind(),
            rejection.detail.clone(),
        ));
    }
    client.bank_status(r.id(), RequestStatus::AcceptedByBank, None, t_bank)?;
    let cert = bank.issue(&received.request_id, t_bank + Duration::minutes(5))?;
    write(&out.join("certificate.pem"), cert.to_pem(), show)?;
    let t_install = t_bank + Duration::minutes(10);
    let r = client.receive_certificate(r.id(), cert.der(), t_install)?;
    show.status(r.status(), "");
    let r = client.activate(r.id(), t_install)?;
    show.status(r.status(), "");
    show.key_set(&client.assess(t_install, DEFAULT_REPLACEMENT_WINDOW_DAYS)?);
    Ok(())
}
