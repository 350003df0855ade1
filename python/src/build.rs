//! Building: subjects, PKCS#10 requests with the Russian extensions, certificates (a CA of the
//! same library), CMS signatures and the signed regeneration request.

use bankkey::pki::{self as bkpki, IdentificationKind, KeyUsageBit, SignToolClass};
use bankkey::subject::{AttributeType, Subject, SubjectKind};
use const_oid::ObjectIdentifier;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::cms::SignedRequest;
use crate::convert::{input_bytes, to_offset};
use crate::errors::{BkError, invalid_argument};
use crate::keys::signer_arg;
use crate::pki::{Certificate, CertificateRequest, Name, certificates_arg};

fn oid(value: &str, field: &str) -> PyResult<ObjectIdentifier> {
    ObjectIdentifier::new(value)
        .map_err(|_| invalid_argument(field, format!("{field}: {value:?} is not a dotted OID")))
}

fn key_usage(names: &[String]) -> PyResult<Vec<KeyUsageBit>> {
    names
        .iter()
        .map(|n| {
            KeyUsageBit::ALL
                .into_iter()
                .find(|b| {
                    b.name().eq_ignore_ascii_case(n) || b.openssl_name().eq_ignore_ascii_case(n)
                })
                .ok_or_else(|| {
                    invalid_argument(
                        "key_usage",
                        format!(
                            "unknown keyUsage bit {n:?} (digitalSignature, nonRepudiation, ...)"
                        ),
                    )
                })
        })
        .collect()
}

fn sign_tool_class(name: &str) -> PyResult<SignToolClass> {
    SignToolClass::ALL
        .into_iter()
        .find(|c| c.name() == name || c.latin_name().eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            invalid_argument(
                "sign_tool_class",
                format!(
                    "unknown signature tool class {name:?} (КС1, КС2, КС3, КВ1, КВ2, КА1 or KC1 …)"
                ),
            )
        })
}

fn subject_kind(name: &str) -> PyResult<SubjectKind> {
    match name {
        "legal-entity" => Ok(SubjectKind::LegalEntity),
        "individual-entrepreneur" => Ok(SubjectKind::IndividualEntrepreneur),
        "natural-person" => Ok(SubjectKind::NaturalPerson),
        _ => Err(invalid_argument(
            "kind",
            format!(
                "kind must be legal-entity, individual-entrepreneur or natural-person, not {name:?}"
            ),
        )),
    }
}

/// A subject from `(label, value)` pairs in order (labels as `Name` reads them: CN, SN, G,
/// T, O, OU, L, ST, STREET, C, E, INN, INNLE, OGRN, OGRNIP, SNILS, or a dotted OID). Values
/// are checked when a request is built (field-named errors), not here.
pub fn subject_from_pairs(pairs: &Bound<'_, PyAny>) -> PyResult<Subject> {
    if let Ok(n) = pairs.cast::<Name>() {
        return Ok(n.get().inner.clone());
    }
    let mut s = Subject::new();
    for item in pairs.try_iter()? {
        let (label, value): (String, String) = item?.extract().map_err(|_| {
            invalid_argument("subject", "subject must be a Name or (label, value) pairs")
        })?;
        let t = AttributeType::from_label(&label).ok_or_else(|| {
            invalid_argument(
                &label,
                format!("{label:?} is not an attribute label nor an OID"),
            )
        })?;
        s.push(t, value);
    }
    Ok(s)
}

/// Builds a `Name` from `(label, value)` pairs, in order.
#[pyfunction]
pub fn name_from_attributes(pairs: &Bound<'_, PyAny>) -> PyResult<Name> {
    Ok(Name {
        inner: subject_from_pairs(pairs)?,
    })
}

/// Builds and signs a PKCS#10 request (see `bankkey.pki.build_request`).
#[pyfunction]
#[pyo3(signature = (subject, signer, *, kind=None, key_usage=None, extended_key_usage=None,
    sign_tool_class=None, policies=None, sign_tool=None, identification_kind=None))]
#[allow(clippy::too_many_arguments)]
pub fn build_request(
    py: Python<'_>,
    subject: &Bound<'_, PyAny>,
    signer: &Bound<'_, PyAny>,
    kind: Option<&str>,
    key_usage: Option<Vec<String>>,
    extended_key_usage: Option<Vec<String>>,
    sign_tool_class: Option<&str>,
    policies: Option<Vec<String>>,
    sign_tool: Option<&str>,
    identification_kind: Option<i64>,
) -> PyResult<CertificateRequest> {
    let subject = subject_from_pairs(subject)?;
    let signer = signer_arg(signer, "signer")?;
    let mut b = bkpki::RequestBuilder::new(subject);
    if let Some(k) = kind {
        b = b.subject_kind(subject_kind(k)?);
    }
    if let Some(bits) = key_usage {
        b = b.key_usage(&self::key_usage(&bits)?);
    }
    if let Some(purposes) = extended_key_usage {
        let oids = purposes
            .iter()
            .map(|p| oid(p, "extended_key_usage"))
            .collect::<PyResult<Vec<_>>>()?;
        b = b.extended_key_usage(&oids);
    }
    if let Some(c) = sign_tool_class {
        b = b.sign_tool_class(self::sign_tool_class(c)?);
    }
    if let Some(p) = policies {
        let oids = p
            .iter()
            .map(|p| oid(p, "policies"))
            .collect::<PyResult<Vec<_>>>()?;
        b = b.policies(&oids);
    }
    if let Some(t) = sign_tool {
        b = b.subject_sign_tool(t);
    }
    if let Some(k) = identification_kind {
        b = b.identification_kind(IdentificationKind::from_value(k));
    }
    let request = py.detach(|| b.build(&*signer)).map_err(BkError)?;
    Ok(CertificateRequest::new(request))
}

/// Issues a certificate (see `bankkey.pki.issue_certificate`).
#[pyfunction]
#[pyo3(signature = (subject, signer, *, issuer=None, public_key=None, serial=None,
    not_before=None, not_after=None, ca=false, path_len=None, key_usage=None,
    issuer_sign_tool=None))]
#[allow(clippy::too_many_arguments)]
pub fn issue_certificate(
    py: Python<'_>,
    subject: &Bound<'_, PyAny>,
    signer: &Bound<'_, PyAny>,
    issuer: Option<&Certificate>,
    public_key: Option<&Bound<'_, PyAny>>,
    serial: Option<&Bound<'_, PyAny>>,
    not_before: Option<&Bound<'_, PyAny>>,
    not_after: Option<&Bound<'_, PyAny>>,
    ca: bool,
    path_len: Option<u8>,
    key_usage: Option<Vec<String>>,
    issuer_sign_tool: Option<(String, String, String, String)>,
) -> PyResult<Certificate> {
    let signer = signer_arg(signer, "signer")?;
    let mut b = if let Ok(req) = subject.cast::<CertificateRequest>() {
        if public_key.is_some() {
            return Err(invalid_argument(
                "public_key",
                "a request carries its key: public_key is for a subject",
            ));
        }
        bkpki::CertificateBuilder::from_request(&req.get().inner).map_err(BkError)?
    } else {
        let key = match public_key {
            Some(k) => crate::pki::public_key_arg(k, "public_key")?,
            None if issuer.is_none() => signer.public_key(),
            None => {
                return Err(invalid_argument(
                    "public_key",
                    "a certificate issued to a subject needs its public_key",
                ));
            }
        };
        bkpki::CertificateBuilder::new(&subject_from_pairs(subject)?, &key).map_err(BkError)?
    };
    if let Some(s) = serial {
        let bytes: Vec<u8> = if let Ok(i) = s.extract::<u128>() {
            let be = i.to_be_bytes();
            let first = be.iter().position(|&b| b != 0).unwrap_or(be.len() - 1);
            let mut v = be[first..].to_vec();
            if v[0] & 0x80 != 0 {
                v.insert(0, 0);
            }
            v
        } else {
            input_bytes(s, "serial")?.into_owned()
        };
        b = b.serial(&bytes);
    }
    if not_before.is_some() || not_after.is_some() {
        let (Some(nb), Some(na)) = (not_before, not_after) else {
            return Err(invalid_argument(
                "not_after",
                "give both not_before and not_after",
            ));
        };
        b = b.validity(to_offset(nb, "not_before")?, to_offset(na, "not_after")?);
    }
    if ca {
        b = b.ca(path_len);
    }
    if let Some(bits) = key_usage {
        b = b.key_usage(&self::key_usage(&bits)?);
    }
    if let Some((sign_tool, ca_tool, sign_tool_cert, ca_tool_cert)) = issuer_sign_tool {
        b = b.issuer_sign_tool(bkpki::IssuerSignTool {
            sign_tool,
            ca_tool,
            sign_tool_cert,
            ca_tool_cert,
        });
    }
    let issuer = issuer.map(|i| i.inner.clone());
    let cert = py
        .detach(|| b.sign(issuer.as_deref(), &*signer))
        .map_err(BkError)?;
    Ok(Certificate::new(cert))
}

/// Signs `content` as CMS SignedData by every `(signer, certificate)` pair (see
/// `bankkey.pki.cms_sign`); returns the DER.
#[pyfunction]
#[pyo3(signature = (content, signers, *, detached=false, signing_time=None, certificates=None))]
pub fn cms_sign<'py>(
    py: Python<'py>,
    content: &Bound<'py, PyAny>,
    signers: &Bound<'py, PyAny>,
    detached: bool,
    signing_time: Option<&Bound<'py, PyAny>>,
    certificates: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let content = input_bytes(content, "content")?.into_owned();
    let mut pairs = Vec::new();
    for item in signers.try_iter()? {
        let item = item?;
        let (signer, cert): (Bound<'_, PyAny>, Bound<'_, PyAny>) =
            item.extract().map_err(|_| {
                invalid_argument("signers", "signers must be (signer, Certificate) pairs")
            })?;
        let cert = cert
            .cast::<Certificate>()
            .map_err(|_| {
                invalid_argument("signers", "signers must be (signer, Certificate) pairs")
            })?
            .get()
            .inner
            .clone();
        pairs.push((signer_arg(&signer, "signers")?, cert));
    }
    let options = bankkey::cms::SignOptions {
        detached,
        signing_time: match signing_time.filter(|t| !t.is_none()) {
            Some(t) => Some(to_offset(t, "signing_time")?),
            None => None,
        },
        certificates: certificates_arg(certificates, "certificates")?,
        ..bankkey::cms::SignOptions::default()
    };
    let der = py
        .detach(|| {
            let refs: Vec<(&dyn bankkey::key::Signer, &bkpki::Certificate)> =
                pairs.iter().map(|(s, c)| (&**s, &**c)).collect();
            bankkey::cms::sign(&content, &refs, &options)
        })
        .map_err(BkError)?;
    Ok(PyBytes::new(py, &der))
}

/// Signs `request` with the current key `signer`, whose certificate is `certificate`: the
/// remote regeneration request (seed 002).
#[pyfunction]
pub fn sign_request(
    py: Python<'_>,
    request: &CertificateRequest,
    signer: &Bound<'_, PyAny>,
    certificate: &Certificate,
) -> PyResult<SignedRequest> {
    let signer = signer_arg(signer, "signer")?;
    let (req, cert) = (request.inner.clone(), certificate.inner.clone());
    let inner = py
        .detach(|| bankkey::cms::SignedRequest::new(&req, &*signer, &cert))
        .map_err(BkError)?;
    Ok(SignedRequest { inner })
}
