//! CV certificates against an independent implementation, OpenPACE's `cvc-create` and `cvc-print` (Debian
//! package `openpace`): its certificates decode, re-encode to the same bytes and verify here; ours are verified
//! by `cvc-print` with its own chain check; our requests are printed and certified by `cvc-create`.

use std::path::{Path, PathBuf};
use std::process::Command;

use cccd::crypto::ec::NamedCurve;
use cccd::crypto::hash::HashAlgorithm;
use cccd::crypto::signature::SignatureAlgorithm;
use cccd::cvc::issue::{self, Issuer, Rights};
use cccd::cvc::{CertificateRequest, CvCertificate, CvcDate, KeyContext, Reference, Role, TaAlgorithm};
use cccd::pki::{RsaSoftwareKey, Signer, SoftwareKey};

fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cccd-cvc-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("trust")).unwrap();
    dir
}

fn tool(dir: &Path, program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program} must be installed (Debian package openpace): {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{program} {args:?} failed: {text}");
    text
}

fn openssl_key(dir: &Path, name: &str, spec: &[&str]) {
    let mut args = vec!["genpkey"];
    args.extend(spec);
    args.extend(["-outform", "DER", "-out", name]);
    tool(dir, "openssl", &args);
}

fn today() -> CvcDate {
    CvcDate::new(time::OffsetDateTime::now_utc().date()).unwrap()
}

fn days(n: i64) -> CvcDate {
    CvcDate::new(today().date() + time::Duration::days(n)).unwrap()
}

fn yymmdd(d: CvcDate) -> String {
    d.encode().iter().map(|b| char::from(b'0' + b)).collect()
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap()
}

/// A CVCA → DV → IS chain made by `cvc-create` with `scheme` and keys of `spec`.
fn openpace_chain(dir: &Path, spec: &[&str], scheme: &str) -> [CvCertificate; 3] {
    openssl_key(dir, "cvca.pkcs8", spec);
    openssl_key(dir, "dv.pkcs8", spec);
    let scheme = format!("--scheme={scheme}");
    let exp = |n| format!("--expires={}", yymmdd(days(n)));
    tool(
        dir,
        "cvc-create",
        &[
            "--role=cvca",
            "--type=is",
            "--chr=VNCVCA00001",
            &exp(700),
            "--sign-with=cvca.pkcs8",
            &scheme,
            "--read-finger",
            "--read-iris",
        ],
    );
    tool(
        dir,
        "cvc-create",
        &[
            "--role=dv_domestic",
            "--chr=VNDVOP00001",
            &exp(60),
            "--sign-with=cvca.pkcs8",
            "--sign-as=VNCVCA00001.cvcert",
            "--key=dv.pkcs8",
            &scheme,
            "--read-finger",
            "--read-iris",
        ],
    );
    tool(
        dir,
        "cvc-create",
        &[
            "--role=terminal",
            "--chr=VNISOP00001",
            &exp(20),
            "--sign-with=dv.pkcs8",
            "--sign-as=VNDVOP00001.cvcert",
            &scheme,
            "--read-finger",
        ],
    );
    ["VNCVCA00001.cvcert", "VNDVOP00001.cvcert", "VNISOP00001.cvcert"]
        .map(|f| CvCertificate::decode(&read(dir, f)).unwrap())
}

fn check_chain(chain: &[CvCertificate; 3], algorithm: TaAlgorithm) -> KeyContext {
    for c in chain {
        assert!(c.tolerated.is_empty(), "{}: {:?}", c.chr(), c.tolerated);
        assert_eq!(c.body.encode().unwrap(), c.body_raw, "{}: our canonical encoding is OpenPACE's", c.chr());
        assert_eq!(c.body.public_key.algorithm, algorithm);
    }
    let [cvca, dv, is] = chain;
    assert!(cvca.is_self_signed() && cvca.body.public_key.has_parameters() == algorithm.is_ecdsa());
    assert!(!dv.body.public_key.has_parameters() && !is.body.public_key.has_parameters());
    let tp = KeyContext::trust_point(cvca).unwrap();
    cvca.verify_signature(&tp.public_key, tp.algorithm).unwrap();
    let dv_ctx = tp.verify(dv, today()).unwrap();
    assert_eq!(dv_ctx.role, Role::DvDomestic);
    let is_ctx = dv_ctx.verify(is, today()).unwrap();
    assert_eq!(is_ctx.role, Role::Terminal);
    assert_eq!(is_ctx.access_bits(), 0x01, "DG3 only: the IS certificate asked for fingerprints alone");
    // a flipped signature bit is caught
    let mut bad = is.clone();
    bad.signature[3] ^= 1;
    assert!(dv_ctx.verify(&bad, today()).is_err());
    is_ctx
}

#[test]
fn openpace_ecdsa_chains_decode_and_verify_on_every_scheme() {
    for (curve, scheme, alg) in [
        ("brainpoolP256r1", "ECDSA_SHA_256", TaAlgorithm::Ecdsa(HashAlgorithm::Sha256)),
        ("brainpoolP384r1", "ECDSA_SHA_384", TaAlgorithm::Ecdsa(HashAlgorithm::Sha384)),
        ("prime256v1", "ECDSA_SHA_224", TaAlgorithm::Ecdsa(HashAlgorithm::Sha224)),
        ("brainpoolP512r1", "ECDSA_SHA_512", TaAlgorithm::Ecdsa(HashAlgorithm::Sha512)),
        ("brainpoolP224r1", "ECDSA_SHA_1", TaAlgorithm::Ecdsa(HashAlgorithm::Sha1)),
    ] {
        let dir = workdir(&format!("op-{scheme}-{curve}"));
        let pkey = format!("ec_paramgen_curve:{curve}");
        let chain = openpace_chain(&dir, &["-algorithm", "EC", "-pkeyopt", &pkey], scheme);
        let ctx = check_chain(&chain, alg);
        assert_eq!(ctx.curve.map(|c| c.name().to_string()), NamedCurve::from_name(curve).map(|c| c.name().to_string()));
    }
}

#[test]
fn openpace_rsa_chains_decode_and_verify() {
    for (scheme, alg) in [
        ("RSA_PSS_SHA_256", TaAlgorithm::RsaPss(HashAlgorithm::Sha256)),
        ("RSA_PSS_SHA_512", TaAlgorithm::RsaPss(HashAlgorithm::Sha512)),
        ("RSA_v1_5_SHA_1", TaAlgorithm::RsaV15(HashAlgorithm::Sha1)),
    ] {
        let dir = workdir(&format!("op-{scheme}"));
        let chain = openpace_chain(&dir, &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], scheme);
        check_chain(&chain, alg);
    }
}

fn cvc_print_verifies(dir: &Path, trusted: &[&CvCertificate], cert: &CvCertificate) -> bool {
    for t in trusted {
        std::fs::write(dir.join("trust").join(t.chr().to_string()), &t.raw).unwrap();
    }
    std::fs::write(dir.join("leaf.cvcert"), &cert.raw).unwrap();
    let out =
        Command::new("cvc-print").args(["--cvc=leaf.cvcert", "--cvc-dir=trust"]).current_dir(dir).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(text.contains(&format!("CHR: {}", cert.chr())), "{text}");
    text.contains("certificate verified")
}

fn d(n: i64) -> CvcDate {
    days(n)
}

#[test]
fn our_chains_are_verified_by_cvc_print() {
    let all = Rights { dg3: true, dg4: true };
    let ec = |c| -> Box<dyn Signer> { Box::new(SoftwareKey::generate(c)) };
    let pss = |h: HashAlgorithm| -> Box<dyn Signer> {
        Box::new(
            RsaSoftwareKey::generate(2048, SignatureAlgorithm::RsaPss { hash: h, salt_len: h.output_len() }).unwrap(),
        )
    };
    let keys: Vec<(&str, [Box<dyn Signer>; 3])> = vec![
        ("bp256", [ec(NamedCurve::BrainpoolP256r1), ec(NamedCurve::BrainpoolP256r1), ec(NamedCurve::BrainpoolP256r1)]),
        ("p384", [ec(NamedCurve::P384), ec(NamedCurve::P384), ec(NamedCurve::P384)]),
        ("pss256", [pss(HashAlgorithm::Sha256), pss(HashAlgorithm::Sha256), pss(HashAlgorithm::Sha256)]),
    ];
    for (name, [k_cvca, k_dv, k_is]) in keys {
        let dir = workdir(&format!("ours-{name}"));
        let cvca = issue::cvca(Reference::new("VNCVCA00001").unwrap(), k_cvca.as_ref(), all, d(-10), d(700)).unwrap();
        let dv = issue::subordinate(
            Reference::new("VNDVCCCD00001").unwrap(),
            &k_dv.public_key().unwrap(),
            Role::DvDomestic,
            all,
            Issuer { certificate: &cvca, key: k_cvca.as_ref() },
            d(-1),
            d(60),
        )
        .unwrap();
        let is = issue::subordinate(
            Reference::new("VNISHN00001").unwrap(),
            &k_is.public_key().unwrap(),
            Role::Terminal,
            Rights { dg3: true, dg4: false },
            Issuer { certificate: &dv, key: k_dv.as_ref() },
            d(0),
            d(20),
        )
        .unwrap();
        assert!(cvc_print_verifies(&dir, &[&cvca], &cvca), "{name}: CVCA");
        assert!(cvc_print_verifies(&dir, &[&cvca], &dv), "{name}: DV");
        assert!(cvc_print_verifies(&dir, &[&cvca, &dv], &is), "{name}: IS");
        let mut tampered = is.raw.clone();
        let n = tampered.len();
        tampered[n - 2] ^= 1;
        let tampered = CvCertificate::decode(&tampered).unwrap();
        assert!(!cvc_print_verifies(&dir, &[&cvca, &dv], &tampered), "{name}: a broken signature is not verified");
        // a link certificate to a new CVCA key, verified by cvc-print from the old one
        let k_new = SoftwareKey::generate(NamedCurve::BrainpoolP256r1);
        if name == "bp256" {
            let link = issue::link(
                Reference::new("VNCVCA00002").unwrap(),
                &k_new,
                Issuer { certificate: &cvca, key: k_cvca.as_ref() },
                all,
                d(0),
                d(800),
            )
            .unwrap();
            assert!(cvc_print_verifies(&dir, &[&cvca], &link), "link certificate");
        }
    }
}

#[test]
fn our_requests_are_read_and_certified_by_openpace() {
    let dir = workdir("req");
    openssl_key(&dir, "cvca.pkcs8", &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:brainpoolP256r1"]);
    let exp = format!("--expires={}", yymmdd(days(700)));
    tool(
        &dir,
        "cvc-create",
        &[
            "--role=cvca",
            "--type=is",
            "--chr=VNCVCA00001",
            &exp,
            "--sign-with=cvca.pkcs8",
            "--scheme=ECDSA_SHA_256",
            "--read-finger",
            "--read-iris",
        ],
    );
    let dv_key = SoftwareKey::generate(NamedCurve::BrainpoolP256r1);
    let old_key = SoftwareKey::generate(NamedCurve::BrainpoolP256r1);
    let chr = Reference::new("VNDVREQ00002").unwrap();
    let old_chr = Reference::new("VNDVREQ00001").unwrap();
    let plain =
        CertificateRequest::create(chr.clone(), Some(Reference::new("VNCVCA00001").unwrap()), &dv_key, None).unwrap();
    plain.verify_inner().unwrap();
    let authenticated = CertificateRequest::create(chr.clone(), None, &dv_key, Some((&old_chr, &old_key))).unwrap();
    authenticated.verify_inner().unwrap();
    let old_pk = cccd::cvc::CvcPublicKey::from_public_key(
        TaAlgorithm::Ecdsa(HashAlgorithm::Sha256),
        &old_key.public_key().unwrap(),
        true,
    )
    .unwrap()
    .resolve(None)
    .unwrap();
    authenticated.verify_outer(&old_pk, TaAlgorithm::Ecdsa(HashAlgorithm::Sha256)).unwrap();
    assert_eq!(CertificateRequest::decode(&authenticated.raw).unwrap(), authenticated);
    std::fs::write(dir.join("dv.cvreq"), &plain.raw).unwrap();
    let printed = tool(&dir, "cvc-print", &["--csr=dv.cvreq"]);
    assert!(printed.contains("VNDVREQ00002"), "{printed}");
    // cvc-create certifies our request: the certificate carries our key and CHR
    let dv_exp = format!("--expires={}", yymmdd(days(60)));
    tool(
        &dir,
        "cvc-create",
        &[
            "--csr=dv.cvreq",
            "--role=dv_domestic",
            "--type=is",
            &dv_exp,
            "--sign-with=cvca.pkcs8",
            "--scheme=ECDSA_SHA_256",
            "--read-finger",
            "--out-cert=dv.cvcert",
        ],
    );
    let cert = CvCertificate::decode(&read(&dir, "dv.cvcert")).unwrap();
    assert_eq!(cert.chr(), &chr);
    let cvca = CvCertificate::decode(&read(&dir, "VNCVCA00001.cvcert")).unwrap();
    let ctx = KeyContext::trust_point(&cvca).unwrap().verify(&cert, today()).unwrap();
    assert_eq!(ctx.public_key, dv_key.public_key().unwrap());
}

/// Real certificates of the German eID PKI (AusweisApp's, in the conformance corpus): they decode without
/// tolerance, our canonical encoding is their signed bytes, the CVCA's self-signature and the link certificate
/// to the next CVCA key verify, and an expired link certificate is still accepted (ICAO 9303-11 §7.1.4.3.3).
#[test]
fn real_german_cvca_link_dv_and_terminal_certificates() {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus"));
    let load = |f: &str| {
        CvCertificate::decode(
            &std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e} (the corpus is in the repository)")),
        )
        .unwrap()
    };
    let cvca = load("ausweisapp_cvca_DECVCAeID00102.cvcert");
    let link = load("ausweisapp_cvca_link_DECVCAeID00102_DECVCAeID00103.cvcert");
    let dv = load("ausweisapp_cvdv_DEDVeIDDPST00035.cvcert");
    let at = load("ausweisapp_cvat_DEDEMOPAA00079.cvcert");
    for c in [&cvca, &link, &dv, &at] {
        assert!(c.tolerated.is_empty(), "{}: {:?}", c.chr(), c.tolerated);
        assert_eq!(c.body.encode().unwrap(), c.body_raw, "{}", c.chr());
    }
    assert_eq!(cvca.chr().to_string(), "DECVCAeID00102");
    assert_eq!(cvca.body.public_key.own_curve(), Some(NamedCurve::BrainpoolP256r1));
    assert_eq!(cvca.body.public_key.algorithm, TaAlgorithm::Ecdsa(HashAlgorithm::Sha256));
    assert_eq!(dv.body.chat.role(), Role::DvForeign);
    assert_eq!(at.body.chat.role(), Role::Terminal);
    assert!(!at.body.extensions.is_empty(), "the terminal certificate's extensions are kept");
    let tp = KeyContext::trust_point(&cvca).unwrap();
    cvca.verify_signature(&tp.public_key, tp.algorithm).unwrap();
    // the link certificate, checked long after it expired
    let late = CvcDate::new(time::Date::from_calendar_date(2026, time::Month::January, 1).unwrap()).unwrap();
    let next = tp.verify(&link, late).unwrap();
    assert_eq!(next.chr.to_string(), "DECVCAeID00103");
    assert_eq!(next.curve, Some(NamedCurve::BrainpoolP256r1));
}
