//! The CV certificate `7F21 { 7F4E body, 5F37 signature }`: tolerant decode with the exact bytes kept,
//! canonical encode and signing.

use super::key::CvcPublicKey;
use super::{Chat, CvcDate, CvcError, Reference, TaAlgorithm, Tolerated};
use crate::crypto::public_key::PublicKey;
use crate::oid::ObjectIdentifier;
use crate::pki::Signer;
use crate::tlv::{Tag, Tlv, TlvReader, TlvWriter, encode_tlv};

/// `7F21`: CV certificate.
pub const TAG_CV_CERTIFICATE: Tag = Tag::new(0x7F21);
/// `7F4E`: certificate body.
pub const TAG_BODY: Tag = Tag::new(0x7F4E);
/// `5F37`: signature.
pub const TAG_SIGNATURE: Tag = Tag::new(0x5F37);
const TAG_CPI: Tag = Tag::new(0x5F29);
const TAG_CAR: Tag = Tag::new(0x42);
const TAG_PUBLIC_KEY: Tag = Tag::new(0x7F49);
const TAG_CHR: Tag = Tag::new(0x5F20);
const TAG_CHAT: Tag = Tag::new(0x7F4C);
const TAG_EFFECTIVE: Tag = Tag::new(0x5F25);
const TAG_EXPIRY: Tag = Tag::new(0x5F24);
const TAG_EXTENSIONS: Tag = Tag::new(0x65);

/// The body of a certificate to be signed (all fields the profile defines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateBody {
    /// The Certification Authority Reference: the CHR of the issuer's key.
    pub car: Reference,
    /// The holder's public key (with domain parameters in a CVCA certificate only).
    pub public_key: CvcPublicKey,
    /// The Certificate Holder Reference.
    pub chr: Reference,
    /// The role and access rights.
    pub chat: Chat,
    /// First day of validity.
    pub effective: CvcDate,
    /// Last day of validity.
    pub expiry: CvcDate,
    /// Each extension (`73 { 06 OID, … }`), encoded.
    pub extensions: Vec<Vec<u8>>,
}

/// A decoded CV certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CvCertificate {
    /// The whole certificate as read (`7F21 …`).
    pub raw: Vec<u8>,
    /// The body as read (`7F4E …`, tag and length included): what the signature covers.
    pub body_raw: Vec<u8>,
    /// The Certificate Profile Identifier (0 for version 1).
    pub profile_id: u8,
    /// The decoded body.
    pub body: CertificateBody,
    /// The signature (`5F37` value).
    pub signature: Vec<u8>,
    /// Data objects of the body the profile does not define, kept as read.
    pub unknown: Vec<Vec<u8>>,
    /// What the decoder tolerated.
    pub tolerated: Vec<Tolerated>,
}

const ORDER: [Tag; 8] =
    [TAG_CPI, TAG_CAR, TAG_PUBLIC_KEY, TAG_CHR, TAG_CHAT, TAG_EFFECTIVE, TAG_EXPIRY, TAG_EXTENSIONS];

fn reference(t: &Tlv<'_>, field: &'static str, tolerated: &mut Vec<Tolerated>) -> Result<Reference, CvcError> {
    let v = t.value();
    if v.is_empty() || v.len() > 16 {
        return Err(CvcError::Invalid { field, offset: t.value_offset(), reason: "not 1 to 16 characters" });
    }
    let r = Reference::from_bytes(v);
    if r.has_control_characters() {
        tolerated.push(Tolerated::ControlCharacters(field));
    }
    Ok(r)
}

fn chat(t: &Tlv<'_>) -> Result<Chat, CvcError> {
    let mut r = t.children();
    let oid_tlv = r.expect(Tag::new(0x06))?;
    let terminal_type = ObjectIdentifier::from_bytes(oid_tlv.value()).map_err(|_| CvcError::Invalid {
        field: "CHAT terminal type",
        offset: oid_tlv.value_offset(),
        reason: "not an OID",
    })?;
    let auth = r.expect(Tag::new(0x53))?;
    if auth.value().is_empty() {
        return Err(CvcError::Invalid { field: "CHAT", offset: auth.value_offset(), reason: "empty authorization" });
    }
    r.finish()?;
    Ok(Chat { terminal_type, authorization: auth.value().to_vec() })
}

/// The pieces of a body, decoded in any order (shared with requests, which lack CHAT and dates).
pub(crate) struct BodyFields {
    pub profile_id: Option<u8>,
    pub car: Option<Reference>,
    pub public_key: Option<CvcPublicKey>,
    pub chr: Option<Reference>,
    pub chat: Option<Chat>,
    pub effective: Option<CvcDate>,
    pub expiry: Option<CvcDate>,
    pub extensions: Vec<Vec<u8>>,
    pub unknown: Vec<Vec<u8>>,
}

pub(crate) fn decode_body(body: &Tlv<'_>, tolerated: &mut Vec<Tolerated>) -> Result<BodyFields, CvcError> {
    let mut f = BodyFields {
        profile_id: None,
        car: None,
        public_key: None,
        chr: None,
        chat: None,
        effective: None,
        expiry: None,
        extensions: Vec::new(),
        unknown: Vec::new(),
    };
    let mut last_rank = 0usize;
    let mut seen: Vec<Tag> = Vec::new();
    for t in body.children() {
        let t = t?;
        let tag = t.tag();
        let Some(rank) = ORDER.iter().position(|o| *o == tag) else {
            tolerated.push(Tolerated::UnknownObject(tag.value()));
            f.unknown.push(t.raw().to_vec());
            continue;
        };
        if seen.contains(&tag) {
            return Err(CvcError::Duplicate { field: field_name(tag), offset: t.offset() });
        }
        seen.push(tag);
        if rank < last_rank && !tolerated.contains(&Tolerated::FieldOrder) {
            tolerated.push(Tolerated::FieldOrder);
        }
        last_rank = rank;
        match tag {
            TAG_CPI => {
                let [v] = t.value() else {
                    return Err(CvcError::Invalid { field: "CPI", offset: t.value_offset(), reason: "not one byte" });
                };
                f.profile_id = Some(*v);
            }
            TAG_CAR => f.car = Some(reference(&t, "CAR", tolerated)?),
            TAG_PUBLIC_KEY => f.public_key = Some(CvcPublicKey::decode(&t, tolerated)?),
            TAG_CHR => f.chr = Some(reference(&t, "CHR", tolerated)?),
            TAG_CHAT => f.chat = Some(chat(&t)?),
            TAG_EFFECTIVE => f.effective = Some(CvcDate::decode(t.value(), "effective date", t.value_offset())?),
            TAG_EXPIRY => f.expiry = Some(CvcDate::decode(t.value(), "expiration date", t.value_offset())?),
            _ => {
                for e in t.children() {
                    f.extensions.push(e?.raw().to_vec());
                }
            }
        }
    }
    Ok(f)
}

fn field_name(tag: Tag) -> &'static str {
    match tag {
        TAG_CPI => "CPI",
        TAG_CAR => "CAR",
        TAG_PUBLIC_KEY => "public key",
        TAG_CHR => "CHR",
        TAG_CHAT => "CHAT",
        TAG_EFFECTIVE => "effective date",
        TAG_EXPIRY => "expiration date",
        _ => "extensions",
    }
}

impl CvCertificate {
    /// Decodes `7F21 { 7F4E, 5F37 }`; trailing bytes after it are an error.
    pub fn decode(bytes: &[u8]) -> Result<Self, CvcError> {
        let outer = TlvReader::single(bytes, TAG_CV_CERTIFICATE)?;
        Self::decode_parts(outer.raw(), outer.children(), outer.offset())
    }

    /// Decodes the value of `7F21` as PSO:Verify Certificate carries it (`7F4E … 5F37 …`, no wrapper).
    pub fn decode_value(value: &[u8]) -> Result<Self, CvcError> {
        let raw = encode_tlv(TAG_CV_CERTIFICATE, value);
        let outer = TlvReader::single(&raw, TAG_CV_CERTIFICATE)?;
        Self::decode_parts(outer.raw(), outer.children(), outer.offset())
    }

    fn decode_parts(raw: &[u8], mut r: TlvReader<'_>, offset: usize) -> Result<Self, CvcError> {
        let body = r.expect(TAG_BODY)?;
        let sig = r.expect(TAG_SIGNATURE)?;
        r.finish()?;
        let mut tolerated = Vec::new();
        let f = decode_body(&body, &mut tolerated)?;
        let missing = |field| CvcError::Missing { field, offset };
        let profile_id = f.profile_id.ok_or(missing("CPI (5F29)"))?;
        let body_fields = CertificateBody {
            car: f.car.ok_or(missing("CAR (42)"))?,
            public_key: f.public_key.ok_or(missing("public key (7F49)"))?,
            chr: f.chr.ok_or(missing("CHR (5F20)"))?,
            chat: f.chat.ok_or(missing("CHAT (7F4C)"))?,
            effective: f.effective.ok_or(missing("effective date (5F25)"))?,
            expiry: f.expiry.ok_or(missing("expiration date (5F24)"))?,
            extensions: f.extensions,
        };
        Ok(CvCertificate {
            raw: raw.to_vec(),
            body_raw: body.raw().to_vec(),
            profile_id,
            body: body_fields,
            signature: sig.value().to_vec(),
            unknown: f.unknown,
            tolerated,
        })
    }

    /// The value of `7F21` (`7F4E … 5F37 …`), as PSO:Verify Certificate sends it.
    pub fn value(&self) -> &[u8] {
        TlvReader::single(&self.raw, TAG_CV_CERTIFICATE).map(|t| t.value()).unwrap_or_default()
    }

    /// The CAR.
    pub fn car(&self) -> &Reference {
        &self.body.car
    }

    /// The CHR.
    pub fn chr(&self) -> &Reference {
        &self.body.chr
    }

    /// Whether the certificate is self-signed (CAR = CHR).
    pub fn is_self_signed(&self) -> bool {
        self.body.car == self.body.chr
    }

    /// Checks the signature over the body as read with the issuer's key and algorithm.
    pub fn verify_signature(&self, issuer_key: &PublicKey, issuer_algorithm: TaAlgorithm) -> Result<(), CvcError> {
        issuer_algorithm.verify(issuer_key, &self.body_raw, &self.signature)
    }
}

impl CertificateBody {
    /// The canonical `7F4E` object.
    pub fn encode(&self) -> Result<Vec<u8>, CvcError> {
        for r in [&self.car, &self.chr] {
            if r.as_bytes().is_empty() || r.as_bytes().len() > 16 || r.has_control_characters() {
                return Err(CvcError::Unencodable("a reference of 1 to 16 characters without control characters"));
            }
        }
        if self.chat.authorization.is_empty() {
            return Err(CvcError::Unencodable("a CHAT without authorization"));
        }
        if self.expiry < self.effective {
            return Err(CvcError::Unencodable("an expiration date before the effective date"));
        }
        let mut w = TlvWriter::new();
        w.constructed(TAG_BODY, |w| {
            w.primitive(TAG_CPI, &[0]);
            w.primitive(TAG_CAR, self.car.as_bytes());
            w.raw(&self.public_key.encode());
            w.primitive(TAG_CHR, self.chr.as_bytes());
            w.constructed(TAG_CHAT, |w| {
                w.primitive(Tag::new(0x06), self.chat.terminal_type.as_bytes());
                w.primitive(Tag::new(0x53), &self.chat.authorization);
            });
            w.primitive(TAG_EFFECTIVE, &self.effective.encode());
            w.primitive(TAG_EXPIRY, &self.expiry.encode());
            if !self.extensions.is_empty() {
                w.primitive(TAG_EXTENSIONS, &self.extensions.concat());
            }
        });
        Ok(w.into_bytes())
    }

    /// Signs the body with the issuer's key (`issuer_algorithm` is the algorithm of the issuer's certificate:
    /// a CVCA signs itself with its own) and returns the certificate.
    pub fn sign(&self, issuer_algorithm: TaAlgorithm, signer: &dyn Signer) -> Result<CvCertificate, CvcError> {
        let body = self.encode()?;
        let signature = issuer_algorithm.sign(signer, &body)?;
        let mut value = body;
        value.extend(encode_tlv(TAG_SIGNATURE, &signature));
        CvCertificate::decode(&encode_tlv(TAG_CV_CERTIFICATE, &value))
    }
}
