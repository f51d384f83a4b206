//! CV certificates, certificate requests and EF.CVCA: any bytes decode or fail with an error; a decoded
//! certificate's body re-encodes canonically to a body that decodes to the same fields.
#![no_main]
use cccd::cvc::{CertificateRequest, CvCertificate, EfCvca};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(cert) = CvCertificate::decode(data) {
        if let Ok(body) = cert.body.encode() {
            let mut value = body;
            value.extend(cccd::tlv::encode_tlv(cccd::tlv::Tag::new(0x5F37), &cert.signature));
            let again = CvCertificate::decode_value(&value).expect("a canonical certificate decodes");
            assert_eq!(again.body, cert.body);
        }
        let _ = cccd::cvc::KeyContext::trust_point(&cert);
    }
    if let Ok(req) = CertificateRequest::decode(data) {
        let _ = req.verify_inner();
    }
    if let Ok(f) = EfCvca::decode(data) {
        if let Ok(bytes) = f.encode() {
            assert_eq!(EfCvca::decode(&bytes).expect("re-encoded EF.CVCA decodes"), f);
        }
    }
});
