//! The main job: the three flows of the bank instructions, client and bank in one process.
//!
//! 1. **Paper acts, initial generation** (seeds 000, 001, 003): a new medium gives
//!    «Необходима начальная генерация»; a new GOST key pair and its request; the bank accepts
//!    the request and waits for the paper act (printed as text, HTML and PDF), checks it the
//!    next business day and issues; the client installs the certificate beside its key and is
//!    switched to the new key set.
//! 2. **Remote regeneration** (seed 002), eleven months later: «Необходима плановая замена
//!    сертификата»; the request is refused while an outgoing document is «подписан», then
//!    signed (CMS) with the current key; the bank verifies it and issues; the client
//!    activates the new key set and the old one is retired.
//! 3. **Qualified signature registration** (seed 004): a КЭП from an accredited CA is
//!    registered («Электронная подпись не подтверждена»); the bank's check against the list
//!    of accredited CAs fails without a CRL («Ошибка при работе с сервисом проверки сторонних
//!    сертификатов») and passes with one; the confirmation statement is signed by the owner
//!    and the head of the organisation; the bank confirms it, and tells when the data is
//!    loaded (12:00 of the next business day).
//! 4. **The key moved by PFX** (issue 16), after flow 3: the key set in use is exported from the
//!    flash drive as a PFX (Р 50.1.112-2016, what CryptoPro CSP exports), imported into a new
//!    program's file container, and the remote regeneration starts there from the imported key.
//!
//! The client's keys live in a file container (the embedded default) and, when SoftHSM is
//! configured (`scripts/hsm.sh` exports `BANKKEY_SOFTHSM_GOST_MODULE` or
//! `BANKKEY_SOFTHSM_MODULE`, `SOFTHSM2_CONF` and the PINs), flows 1 and 2 run again on a
//! token. Statuses are printed in Russian and English as they change; everything the flows
//! produce is written into OUTDIR (default `demo-out`), see `README.txt` there.
//!
//! Usage: `demo [OUTDIR]`; `scripts/demo.sh` builds and runs it.

mod parties;
mod pfx;
mod show;
mod token;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bankkey::ErrorKind;
use bankkey::bank::{Bank, Crl, TrustedList, check_qualified};
use bankkey::documents::{Act, CertificateApplication, DocumentDetails, Person, QesStatement};
use bankkey::gost::ParamSet;
use bankkey::key::KeyAlgorithm;
use bankkey::lifecycle::{
    Client, DEFAULT_REPLACEMENT_WINDOW_DAYS, Flow, OutgoingDocuments, RequestStatus,
};
use bankkey::pki::{Certificate, pem};
use bankkey::store::KeyStore;
use bankkey::subject::Subject;
use time::{Duration, OffsetDateTime};

use parties::World;
use show::Show;

/// The outgoing documents of the client's «Клиент-Банк» (seed 002's precondition): a payment
/// order that is signed and not sent yet, until the user sends it.
struct Outbox {
    signed_unsent: std::cell::RefCell<Vec<String>>,
}

impl OutgoingDocuments for Outbox {
    fn signed_unsent(&self) -> bankkey::Result<Vec<String>> {
        Ok(self.signed_unsent.borrow().clone())
    }
}

/// Everything one client's two regeneration flows need.
struct ClientRun<'a> {
    name: &'a str,
    out: PathBuf,
    subject: Subject,
    algorithm: KeyAlgorithm,
}

fn write(path: &Path, bytes: impl AsRef<[u8]>, show: &mut Show) -> bankkey::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, bytes)?;
    show.file(path);
    Ok(())
}

/// Flows 1 and 2 for one client on `store`: initial generation with paper acts at `t1`,
/// remote regeneration at `t2`. Returns the client (its current key set is the new one).
fn paper_then_remote(
    run: &ClientRun,
    store: Box<dyn KeyStore>,
    bank: &mut Bank,
    world: &World,
    t1: OffsetDateTime,
    t2: OffsetDateTime,
    show: &mut Show,
) -> bankkey::Result<Client> {
    std::fs::create_dir_all(&run.out)?;
    let journal = bankkey::lifecycle::SqliteJournal::open(run.out.join("client-journal.sqlite"))?;
    let mut client = Client::open(store, Box::new(journal))?;
    client.set_trust_anchors(vec![bank.ca_certificate().clone()]);
    let outbox = Outbox {
        signed_unsent: std::cell::RefCell::new(Vec::new()),
    };

    // ---- 1. Paper acts: initial generation -------------------------------------------
    show.flow(Flow::PaperActs, run.name, t1);
    bank.preregister(&run.subject, t1)?;
    show.key_set(&client.assess(t1, DEFAULT_REPLACEMENT_WINDOW_DAYS)?);
    let r = client.start(Flow::PaperActs, run.algorithm, &run.subject, t1)?;
    show.status(
        r.status(),
        &format!("request {}, {}", r.id(), run.algorithm.name()),
    );
    let paper = run.out.join("1-paper-acts");
    write(&paper.join("request.p10.pem"), r.request()?.to_pem(), show)?;
    let r = client.sign(r.id(), &outbox, t1)?;
    show.status(
        r.status(),
        "the request is signed with the new key (PKCS#10)",
    );
    let bytes = client.send(r.id(), t1)?;
    show.status(RequestStatus::Sent, "");

    let received = bank.receive(Flow::PaperActs, &bytes, t1 + Duration::minutes(1))?;
    show.bank_received(&received);
    if let Some(rejection) = &received.rejection {
        return Err(bankkey::Error::new(
            rejection.reason.error_kind(),
            rejection.detail.clone(),
        ));
    }
    for s in [
        RequestStatus::AcceptedByBank,
        RequestStatus::AwaitingPaperDocuments,
    ] {
        let r = client.bank_status(r.id(), s, None, t1 + Duration::minutes(2))?;
        show.status(r.status(), "");
    }

    // The act of recognition and the application, printed for signing and sealing.
    let request = r.request()?;
    let mut details = DocumentDetails::new(world.bank_name.clone(), world.local_date(t1));
    details.place = Some("г. Москва".into());
    details.request_number = Some(received.request_id.clone());
    details.head = Some(world.head());
    details.kpp = Some(parties::KPP.into());
    details.cipf = Some(world.cipf.clone());
    let act = Act::from_request(&request, &details)?;
    write(&paper.join("act.txt"), act.to_text(), show)?;
    write(&paper.join("act.html"), act.to_html(), show)?;
    write(&paper.join("act.pdf"), act.to_pdf()?, show)?;
    let application = CertificateApplication::from_request(&request, &details)?;
    write(&paper.join("application.txt"), application.to_text(), show)?;
    write(&paper.join("application.html"), application.to_html(), show)?;
    write(&paper.join("application.pdf"), application.to_pdf()?, show)?;
    let check_by = received
        .paper_check_by
        .unwrap_or_else(|| world.local_date(t1));
    show.note(&format!(
        "Банк проверит документы до {check_by} / the bank checks the paper by {check_by}"
    ));

    // The bank's officer compares the paper act with the request, the next business day.
    let t_check = world.at_local(check_by, 10);
    let received = bank.paper_act_received(&received.request_id, act.matches(&request), t_check)?;
    if received.rejection.is_some() {
        show.bank_received(&received);
    } else {
        show.bank("акт на бумаге совпадает с запросом / the paper act matches the request");
    }
    let cert = bank.issue(&received.request_id, t_check + Duration::minutes(5))?;
    show.bank(&format!(
        "сертификат выпущен / certificate issued: serial {}, valid to {}",
        cert.serial_hex(),
        cert.not_after().date()
    ));
    write(&paper.join("certificate.pem"), cert.to_pem(), show)?;

    let t_install = t_check + Duration::hours(2);
    let r = client.receive_certificate(r.id(), cert.der(), t_install)?;
    show.status(r.status(), "");
    let r = client.activate(r.id(), t_install)?;
    show.status(r.status(), "");
    show.key_set(&client.assess(t_install, DEFAULT_REPLACEMENT_WINDOW_DAYS)?);

    // ---- 2. Remote regeneration, eleven months later ----------------------------------
    show.flow(Flow::Remote, run.name, t2);
    show.key_set(&client.assess(t2, DEFAULT_REPLACEMENT_WINDOW_DAYS)?);
    let r = client.start(Flow::Remote, run.algorithm, &run.subject, t2)?;
    show.status(r.status(), &format!("request {}", r.id()));
    let remote = run.out.join("2-remote");
    write(&remote.join("request.p10.pem"), r.request()?.to_pem(), show)?;
    outbox
        .signed_unsent
        .borrow_mut()
        .push("Платёжное поручение № 17".into());
    match client.sign(r.id(), &outbox, t2) {
        Err(e) if e.kind() == ErrorKind::PreconditionFailed => show.refused(&e),
        other => {
            other?;
            return Err(bankkey::Error::new(
                ErrorKind::Internal,
                "a request was signed while a document was «подписан»",
            ));
        }
    }
    outbox.signed_unsent.borrow_mut().clear();
    show.note("платёжное поручение отправлено / the payment order is sent");
    let r = client.sign(r.id(), &outbox, t2 + Duration::minutes(1))?;
    show.status(r.status(), "CMS SignedData by the current key");
    let bytes = client.send(r.id(), t2 + Duration::minutes(1))?;
    show.status(RequestStatus::Sent, "");
    write(&remote.join("signed-request.p7s"), &bytes, show)?;
    write(
        &remote.join("signed-request.pem"),
        pem::encode("CMS", &bytes),
        show,
    )?;
    let t_bank = t2 + Duration::minutes(3);
    let received = bank.receive(Flow::Remote, &bytes, t_bank)?;
    show.bank_received(&received);
    if let Some(rejection) = &received.rejection {
        return Err(bankkey::Error::new(
            rejection.reason.error_kind(),
            rejection.detail.clone(),
        ));
    }
    let r = client.bank_status(r.id(), RequestStatus::AcceptedByBank, None, t_bank)?;
    show.status(r.status(), "");
    let cert = bank.issue(&received.request_id, t_bank + Duration::minutes(10))?;
    show.bank(&format!(
        "сертификат выпущен / certificate issued: serial {}, valid to {}",
        cert.serial_hex(),
        cert.not_after().date()
    ));
    write(&remote.join("certificate.pem"), cert.to_pem(), show)?;
    let t_install = t_bank + Duration::minutes(15);
    let r = client.receive_certificate(r.id(), cert.der(), t_install)?;
    show.status(r.status(), "");
    let r = client.activate(r.id(), t_install)?;
    show.status(r.status(), "the old key set is retired, not deleted");
    show.key_set(&client.assess(t_install, DEFAULT_REPLACEMENT_WINDOW_DAYS)?);
    Ok(client)
}

/// Flow 3: the head's qualified signature from an accredited CA, confirmed by the statement.
fn qes(
    client: &mut Client,
    bank: &mut Bank,
    world: &World,
    out: &Path,
    at: OffsetDateTime,
    show: &mut Show,
) -> bankkey::Result<()> {
    show.qes_flow(at);
    let dir = out.join("3-qes");
    let owner = world.qes_owner_key(out, at)?;
    write(&dir.join("qes-certificate.pem"), owner.cert.to_pem(), show)?;
    write(
        &dir.join("accredited-ca.pem"),
        world.accredited_ca().to_pem(),
        show,
    )?;

    // The client: the owner's medium holds the QES key; it is registered, not yet confirmed.
    let mut owner = owner;
    let reg = owner.client.register_qes(owner.cert.der(), at)?;
    show.qes(reg.status(), false);
    for w in reg.warnings() {
        show.note(w);
    }

    // The bank checks the certificate against the list of accredited CAs and the CRLs: without
    // the CA's current CRL the check cannot be made, and says so.
    let list_path = dir.join("TSLExt.xml");
    write(&list_path, world.signed_trusted_list(at)?, show)?;
    // The certificate the bank pins to verify it (example tsl: `--ministry ministry-root.pem`).
    write(
        &dir.join("ministry-root.pem"),
        world.ministry_root().to_pem(),
        show,
    )?;
    // Its XMLDSig verified against the Ministry's root the bank pins, and the signer checked
    // against the Ministry's CRL, before the bank uses the list.
    let list = TrustedList::load_signed(&list_path, &[world.ministry_root()], at)?;
    let ministry_crl = dir.join("ministry.crl");
    write(&ministry_crl, world.ministry_crl(at)?, show)?;
    if let Some(signed) = list.signature() {
        signed.check_revocation(&[Crl::load(&ministry_crl)?], at)?;
    }
    match bank.register_qes(&owner.cert, Some(&list), &[], at) {
        Err(e) if e.kind() == ErrorKind::VerificationUnavailable => show.refused(&e),
        other => {
            other?;
            return Err(bankkey::Error::new(
                ErrorKind::Internal,
                "the QES was registered without a CRL",
            ));
        }
    }
    let crl_path = dir.join("accredited-ca.crl");
    write(&crl_path, world.accredited_crl(at)?, show)?;
    let crls = vec![Crl::load(&crl_path)?];
    let check = check_qualified(&owner.cert, Some(&list), &crls, at)?;
    show.bank(&format!(
        "КЭП выдана аккредитованным УЦ / QES issued by an accredited CA: {} (list version {}, CRL of {})",
        check.ca_name,
        check.list_version,
        show::local(check.crl_this_update)
    ));
    let record = bank.register_qes(&owner.cert, Some(&list), &crls, at)?;
    show.qes(record.status, true);

    // The confirmation statement, signed by the owner and by the head with their keys.
    let owner_person = Person::from_subject(owner.cert.subject())?;
    let mut details = DocumentDetails::new(world.bank_name.clone(), world.local_date(at));
    details.place = Some("г. Москва".into());
    details.kpp = Some(parties::KPP.into());
    let statement = QesStatement::new(&owner.cert, &owner_person, Some(&world.head()), &details)?;
    write(&dir.join("statement.txt"), statement.to_text(), show)?;
    write(&dir.join("statement.html"), statement.to_html(), show)?;
    write(&dir.join("statement.pdf"), statement.to_pdf()?, show)?;
    let content = statement.signed_content();
    let head_set = client.current_key_set()?.ok_or_else(|| {
        bankkey::Error::new(
            ErrorKind::PreconditionFailed,
            "the head has no key set in use",
        )
    })?;
    let head_cert = Certificate::from_der(head_set.certificate.as_deref().unwrap_or_default())?;
    let head_signer = client.store().signer(&head_set.id)?;
    let signed = owner.client.qes_statement(
        reg.id(),
        &content,
        head_signer.as_ref(),
        &head_cert,
        at + Duration::minutes(1),
    )?;
    write(&dir.join("statement.p7s"), &signed, show)?;

    let t_bank = at + Duration::minutes(5);
    let record = bank.confirm_qes(&owner.cert, &content, &signed, Some(&list), &crls, t_bank)?;
    show.qes(record.status, true);
    if let Some(loaded) = record.loaded_not_before {
        show.bank(&format!(
            "данные КЭП будут загружены не ранее {0} / QES data is loaded not before {0}",
            show::local(loaded)
        ));
    }
    let reg = owner.client.qes_confirmed(reg.id(), t_bank)?;
    show.qes(reg.status(), false);
    Ok(())
}

fn run(out: PathBuf) -> bankkey::Result<()> {
    let mut show = Show::default();
    if out.exists() {
        std::fs::remove_dir_all(&out)?;
    }
    std::fs::create_dir_all(&out)?;
    // The flows are played on a timeline that ends now, so everything they produce is valid
    // when you look at it: flow 1 eleven months ago, the remote regeneration three hours
    // ago, the QES registration two hours ago.
    let real_now = OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .map_err(|e| bankkey::Error::new(ErrorKind::Internal, format!("clock: {e}")))?;
    let now = real_now - Duration::hours(3);
    let t1 = paper_flow_start(now)?;
    let world = World::new(t1)?;
    let mut bank = world.bank(&out.join("bank"))?;
    write(
        &out.join("bank").join("ca.pem"),
        bank.ca_certificate().to_pem(),
        &mut show,
    )?;

    let file_run = ClientRun {
        name: "файловый контейнер / file container",
        out: out.join("file-container"),
        subject: parties::legal_entity(),
        algorithm: KeyAlgorithm::Gost(ParamSet::Tc26_256A),
    };
    let store = world.file_container(&file_run.out.join("flash"))?;
    let mut client = paper_then_remote(
        &file_run,
        Box::new(store),
        &mut bank,
        &world,
        t1,
        now,
        &mut show,
    )?;
    qes(
        &mut client,
        &mut bank,
        &world,
        &file_run.out,
        now + Duration::hours(1),
        &mut show,
    )?;
    pfx::moved_by_pfx(
        &file_run,
        &client,
        &mut bank,
        &world,
        now + Duration::hours(2),
        &mut show,
    )?;

    match token::softhsm()? {
        Some(t) => {
            let token_run = ClientRun {
                name: &t.what,
                out: out.join("softhsm"),
                subject: parties::entrepreneur(),
                algorithm: t.algorithm,
            };
            paper_then_remote(&token_run, t.store, &mut bank, &world, t1, now, &mut show)?;
        }
        None => show.note(
            "SoftHSM не настроен: поток на токене пропущен / SoftHSM not configured \
             (eval \"$(bash scripts/hsm.sh)\"): the token run is skipped",
        ),
    }

    show.support(&bank, real_now)?;
    write(&out.join("README.txt"), show.readme(&out), &mut show)?;
    Ok(())
}

/// When flow 1 starts so that the certificate it ends with is due for replacement at `now`
/// (the remote flow's «Необходима плановая замена сертификата»): about eleven months before,
/// moved back a day at a time while the bank's paper check — the next business day, up to
/// twelve days later across the New Year holidays — would leave more than 27 of the
/// certificate's days (the window is 30) at `now`.
fn paper_flow_start(now: OffsetDateTime) -> bankkey::Result<OffsetDateTime> {
    let calendar = bankkey::calendar::BusinessCalendar::new();
    let validity = Duration::days(i64::from(bankkey::bank::Profile::default().validity_days));
    let mut t1 = now - Duration::days(340);
    for _ in 0..60 {
        let checked = calendar
            .paper_check_by(t1)?
            .with_time(time::Time::MIDNIGHT)
            .assume_offset(parties::MSK)
            + Duration::hours(10);
        if checked + validity - now <= Duration::days(27) {
            break;
        }
        t1 -= Duration::days(1);
    }
    Ok(t1)
}

fn main() -> ExitCode {
    let out = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("demo-out"));
    match run(out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo: {} (code {})", e, e.code());
            ExitCode::FAILURE
        }
    }
}
