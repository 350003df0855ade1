//! What the demo prints: every status as it changes, in Russian and English, the files
//! written, and at the end the support queries; and the README of the output folder.

use std::path::{Path, PathBuf};

use bankkey::bank::{Bank, Received};
use bankkey::lifecycle::{Assessment, Flow, QesStatus, RequestStatus};
use time::OffsetDateTime;

use crate::parties::MSK;

/// A time as the user sees it: Moscow time, to the minute.
pub fn local(t: OffsetDateTime) -> String {
    let t = t.to_offset(MSK);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} МСК",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// The printer; it remembers the files written for the README.
#[derive(Default)]
pub struct Show {
    files: Vec<PathBuf>,
}

impl Show {
    /// A flow starts.
    pub fn flow(&mut self, flow: Flow, medium: &str, at: OffsetDateTime) {
        println!(
            "\n== {} / {} — {} — {}",
            flow.ru(),
            flow.en(),
            medium,
            local(at)
        );
    }

    /// The QES flow starts.
    pub fn qes_flow(&mut self, at: OffsetDateTime) {
        println!(
            "\n== Регистрация КЭП / Qualified signature registration — {}",
            local(at)
        );
    }

    /// The key set's status.
    pub fn key_set(&mut self, a: &Assessment) {
        let days = a
            .days_left
            .map(|d| format!(" ({d} days left)"))
            .unwrap_or_default();
        println!(
            "  ключи / key set: {} — {}{days}",
            a.status.ru(),
            a.status.en()
        );
    }

    /// The client's request status.
    pub fn status(&mut self, s: RequestStatus, detail: &str) {
        let detail = if detail.is_empty() {
            String::new()
        } else {
            format!("  [{detail}]")
        };
        println!("  клиент / client: «{}» — {}{detail}", s.ru(), s.en());
    }

    /// What the bank answered.
    pub fn bank_received(&mut self, r: &Received) {
        match &r.rejection {
            Some(rej) => println!(
                "  банк / bank: «{}» — {}: {} — {} ({})",
                r.status.ru(),
                r.status.en(),
                rej.reason.ru(),
                rej.reason.en(),
                rej.detail
            ),
            None => println!(
                "  банк / bank: «{}» — {}  [request {}]",
                r.status.ru(),
                r.status.en(),
                r.request_id
            ),
        }
    }

    /// Something the bank did.
    pub fn bank(&mut self, what: &str) {
        println!("  банк / bank: {what}");
    }

    /// A QES status, as the client (`bank == false`) or the bank sees it.
    pub fn qes(&mut self, s: QesStatus, bank: bool) {
        let who = if bank {
            "банк / bank"
        } else {
            "клиент / client"
        };
        println!("  {who}: КЭП «{}» — QES: {}", s.ru(), s.en());
    }

    /// An operation refused, as it should be.
    pub fn refused(&mut self, e: &bankkey::Error) {
        println!("  отказ / refused ({}): {}", e.kind().name(), e.message());
    }

    /// A remark.
    pub fn note(&mut self, what: &str) {
        println!("  · {what}");
    }

    /// A file written.
    pub fn file(&mut self, path: &Path) {
        println!("    → {}", path.display());
        self.files.push(path.to_path_buf());
    }

    /// The support staff's queries over the bank's registry.
    pub fn support(&mut self, bank: &Bank, at: OffsetDateTime) -> bankkey::Result<()> {
        println!("\n== Поддержка / Support queries — {}", local(at));
        // Who needs scheduled replacement within 30 days, asked on the day the new
        // certificates come close to their end.
        let later = at + time::Duration::days(340);
        let expiring = bank.expiring_within(30, later)?;
        println!(
            "  плановая замена в ближайшие 30 дней на {} / due for scheduled replacement within 30 days as of that day:",
            local(later)
        );
        for e in &expiring {
            println!(
                "    {} serial {} — до {} ({} days)",
                e.name.as_deref().unwrap_or("?"),
                e.serial,
                e.not_after.date(),
                e.days_left
            );
        }
        let waiting = bank.awaiting_paper()?;
        println!(
            "  ждут бумажных документов / awaiting paper: {}",
            waiting.len()
        );
        let history = bank.history("7707083893")?;
        println!("  история ООО «Ромашка» / history of INNLE 7707083893:");
        for h in &history {
            println!(
                "    {} {:<24} {} → {} {}",
                local(h.at),
                h.what,
                h.from.as_deref().unwrap_or("-"),
                h.to.as_deref().unwrap_or("-"),
                h.note.as_deref().unwrap_or("")
            );
        }
        Ok(())
    }

    /// The output folder's README: what each file is.
    pub fn readme(&self, out: &Path) -> String {
        let mut s = String::from(
            "Файлы демонстрации bankkey / What the bankkey demo wrote\n\n\
             bank/ca.pem                      the bank CA's certificate\n\
             bank/registry.sqlite             the bank's registry (subscribers, keys, requests, history)\n\
             */flash/                         the client's file container (encrypted PKCS#8 keys, certificates)\n\
             */client-journal.sqlite          the client's journal of every transition\n\
             */1-paper-acts/request.p10.pem   the PKCS#10 request of the initial generation\n\
             */1-paper-acts/act.{txt,html,pdf}          «Акт признания открытого ключа (сертификата)», 2 copies\n\
             */1-paper-acts/application.{txt,html,pdf}  «Заявление на изготовление сертификата ключа подписи»\n\
             */1-paper-acts/certificate.pem   the certificate the bank issued\n\
             */2-remote/request.p10.pem       the PKCS#10 request of the remote regeneration\n\
             */2-remote/signed-request.p7s    the same, signed with the current key (CMS SignedData, DER; .pem: PEM)\n\
             */2-remote/certificate.pem       the new certificate\n\
             file-container/3-qes/            the КЭП: certificate, accredited CA, TSLExt.xml (signed by\n\
                                              the Ministry; ministry-root.pem verifies it,\n\
                                              ministry.crl: its signer not revoked), CRL,\n\
                                              «Заявление о подтверждении использования ЭП» and its CMS (.p7s)\n\
             file-container/4-pfx/current-key.p12  the key set in use exported as a PFX (Р 50.1.112-2016;\n\
                                              password «Пароль для PFX»), imported into 4-pfx/new-flash/,\n\
                                              where the remote regeneration ran again (signed-request.p7s)\n\n\
             Written:\n",
        );
        for f in &self.files {
            let rel = f.strip_prefix(out).unwrap_or(f);
            s.push_str(&format!("  {}\n", rel.display()));
        }
        s
    }
}
