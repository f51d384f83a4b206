//! Certificate requests (TR-03110-3 C.2, ICAO 9303-12 §8.1.1): `7F21 { 7F4E { 5F29, [42 CAR], 7F49 with
//! domain parameters, 5F20 CHR, [65] }, 5F37 inner signature }`, optionally authenticated as
//! `67 { 7F21 …, 42 CAR, 5F37 outer signature }` (the outer signature covers the encoded `7F21` and `42`).

use super::certificate::{TAG_BODY, TAG_CV_CERTIFICATE, TAG_SIGNATURE, decode_body};
use super::key::CvcPublicKey;
use super::{CvcError, Reference, TaAlgorithm, Tolerated};
use crate::crypto::public_key::PublicKey;
use crate::pki::Signer;
use crate::tlv::{Tag, TlvReader, TlvWriter, encode_tlv};

/// `67`: authentication (an outer-signed request).
pub const TAG_AUTHENTICATION: Tag = Tag::new(0x67);

/// A decoded (or built) certificate request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRequest {
    /// The whole request as read (`7F21 …` or `67 …`).
    pub raw: Vec<u8>,
    /// The inner body as read (`7F4E …`).
    pub body_raw: Vec<u8>,
    /// The inner `7F21` as read.
    pub inner_raw: Vec<u8>,
    /// The CAR the applicant expects to be certified by, when given.
    pub car: Option<Reference>,
    /// The applicant's new public key (with domain parameters).
    pub public_key: CvcPublicKey,
    /// The applicant's CHR.
    pub chr: Reference,
    /// Extensions, encoded.
    pub extensions: Vec<Vec<u8>>,
    /// The inner self-signature.
    pub inner_signature: Vec<u8>,
    /// The outer authentication: the CAR of the key that signed it and the signature.
    pub outer: Option<(Reference, Vec<u8>)>,
    /// What the decoder tolerated.
    pub tolerated: Vec<Tolerated>,
}

impl CertificateRequest {
    /// Decodes a request, plain (`7F21`) or authenticated (`67`).
    pub fn decode(bytes: &[u8]) -> Result<Self, CvcError> {
        let first = TlvReader::single_any(bytes)?;
        let (inner, outer) = if first.tag() == TAG_AUTHENTICATION {
            let mut r = first.children();
            let inner = r.expect(TAG_CV_CERTIFICATE)?;
            let car = r.expect(Tag::new(0x42))?;
            let sig = r.expect(TAG_SIGNATURE)?;
            r.finish()?;
            (inner, Some((Reference::from_bytes(car.value()), sig.value().to_vec())))
        } else {
            (TlvReader::single(bytes, TAG_CV_CERTIFICATE)?, None)
        };
        let mut r = inner.children();
        let body = r.expect(TAG_BODY)?;
        let sig = r.expect(TAG_SIGNATURE)?;
        r.finish()?;
        let mut tolerated = Vec::new();
        let f = decode_body(&body, &mut tolerated)?;
        let missing = |field| CvcError::Missing { field, offset: body.offset() };
        let public_key = f.public_key.ok_or(missing("public key (7F49)"))?;
        if public_key.algorithm.is_ecdsa() && !public_key.has_parameters() {
            return Err(CvcError::Missing { field: "domain parameters of the request key", offset: body.offset() });
        }
        if f.chat.is_some() || f.effective.is_some() || f.expiry.is_some() {
            tolerated.push(Tolerated::UnknownObject(0x7F4C));
        }
        Ok(CertificateRequest {
            raw: first.raw().to_vec(),
            body_raw: body.raw().to_vec(),
            inner_raw: inner.raw().to_vec(),
            car: f.car,
            public_key,
            chr: f.chr.ok_or(missing("CHR (5F20)"))?,
            extensions: f.extensions,
            inner_signature: sig.value().to_vec(),
            outer,
            tolerated,
        })
    }

    /// Builds a request for `key`'s public key, self-signed with it; `car` is the CA expected to certify it,
    /// `outer` an already registered key (with its CHR) that authenticates the request.
    pub fn create(
        chr: Reference,
        car: Option<Reference>,
        key: &dyn Signer,
        outer: Option<(&Reference, &dyn Signer)>,
    ) -> Result<Self, CvcError> {
        let algorithm = TaAlgorithm::of_signer(key)?;
        let public_key = CvcPublicKey::from_public_key(algorithm, &key.public_key()?, true)?;
        let mut w = TlvWriter::new();
        w.constructed(TAG_BODY, |w| {
            w.primitive(Tag::new(0x5F29), &[0]);
            if let Some(car) = &car {
                w.primitive(Tag::new(0x42), car.as_bytes());
            }
            w.raw(&public_key.encode());
            w.primitive(Tag::new(0x5F20), chr.as_bytes());
        });
        let body = w.into_bytes();
        let inner_sig = algorithm.sign(key, &body)?;
        let mut inner = body;
        inner.extend(encode_tlv(TAG_SIGNATURE, &inner_sig));
        let inner = encode_tlv(TAG_CV_CERTIFICATE, &inner);
        let bytes = match outer {
            None => inner,
            Some((outer_car, outer_key)) => {
                let mut signed = inner.clone();
                signed.extend(encode_tlv(Tag::new(0x42), outer_car.as_bytes()));
                let sig = TaAlgorithm::of_signer(outer_key)?.sign(outer_key, &signed)?;
                signed.extend(encode_tlv(TAG_SIGNATURE, &sig));
                encode_tlv(TAG_AUTHENTICATION, &signed)
            }
        };
        CertificateRequest::decode(&bytes)
    }

    /// Checks the inner self-signature with the request's own key.
    pub fn verify_inner(&self) -> Result<(), CvcError> {
        let key = self.public_key.resolve(None)?;
        self.public_key.algorithm.verify(&key, &self.body_raw, &self.inner_signature)
    }

    /// Checks the outer signature with the key named by its CAR (`key`, `algorithm`).
    pub fn verify_outer(&self, key: &PublicKey, algorithm: TaAlgorithm) -> Result<(), CvcError> {
        let (car, sig) = self.outer.as_ref().ok_or(CvcError::Missing { field: "outer signature", offset: 0 })?;
        let mut signed = self.inner_raw.clone();
        signed.extend(encode_tlv(Tag::new(0x42), car.as_bytes()));
        algorithm.verify(key, &signed, sig)
    }
}
