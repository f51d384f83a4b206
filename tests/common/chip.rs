//! A CCCD-sized chip image built from the sample citizen record, for the emulator and reader tests.
use cccd::citizen::CitizenRecord;
use cccd::crypto::ec::NamedCurve;
use cccd::crypto::public_key::{EcDomain, PublicKey};
use cccd::image::{ActiveAuthenticationKey, ChipAuthenticationPrivateKey, ChipImage, ChipSecrets};
use cccd::lds::LdsFile;
use cccd::lds::com::Com;
use cccd::lds::dg1::Dg1;
use cccd::lds::dg2::Dg2;
use cccd::lds::dg2::facial::ImageDataType;
use cccd::lds::dg13::Dg13;
use cccd::lds::dg15::Dg15;
use cccd::lds::security_infos::{CardAccess, Dg14};

/// The sample record.
pub fn record() -> CitizenRecord {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/records/nguyen-van-a.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// A chip image like a CCCD's: EF.CardAccess, EF.COM, DG1, a 20 KB DG2, a protected DG3, DG13, DG14, DG15 and
/// an EF.SOD (the LOES2006 sample, unrelated to the data: these tests read, they do not verify).
pub fn cccd_image() -> ChipImage {
    let r = record();
    let curve = NamedCurve::BrainpoolP256r1;
    let ca_secret = [0x11u8; 32];
    let aa_secret = [0x22u8; 32];
    let ec = |s: &[u8]| PublicKey::Ec { domain: EcDomain::Named(curve.oid()), point: curve.public_key(s).unwrap() };
    let jpeg: Vec<u8> = (0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let mut files = std::collections::BTreeMap::new();
    files.insert(LdsFile::CardAccess, CardAccess::cccd().encode());
    files.insert(LdsFile::Com, Com::cccd().encode());
    let dg = |n| LdsFile::dg(n).unwrap();
    files.insert(dg(1), Dg1::new(r.to_mrz().unwrap()).unwrap().encode().unwrap());
    files.insert(dg(2), Dg2::from_image(jpeg, ImageDataType::Jpeg, 480, 640).encode().unwrap());
    files.insert(dg(3), vec![0x63, 0x03, 0x01, 0x02, 0x03]);
    files.insert(dg(13), Dg13::from_record(&r).unwrap().encode().unwrap());
    files.insert(dg(14), Dg14::for_chip_authentication(&ec(&ca_secret), None).unwrap().encode());
    files.insert(dg(15), Dg15::new(ec(&aa_secret)).unwrap().encode());
    files.insert(LdsFile::Sod, super::vector("lds/LOES2006_EF_SOD.bin"));
    ChipImage {
        files,
        secrets: ChipSecrets {
            mrz_information: Some(r.mrz_information().unwrap()),
            can: Some(r.can().unwrap()),
            chip_authentication: Some(cccd::image::ChipAuthenticationKey {
                key_id: None,
                key: ChipAuthenticationPrivateKey::Ecdh(
                    cccd::pki::SoftwareKey::from_secret(curve, &ca_secret).unwrap(),
                ),
            }),
            active_authentication: Some(ActiveAuthenticationKey::Ecdsa(
                cccd::pki::SoftwareKey::from_secret(curve, &aa_secret).unwrap(),
            )),
        },
        eac: None,
    }
}

/// A real face: a synthetic portrait prepared as ICAO asks (480×640 JPEG under 15 KB).
pub fn face_jpeg() -> (Vec<u8>, u16, u16) {
    let photo = image::RgbImage::from_fn(900, 1200, |x, y| {
        let (dx, dy) = (x as f32 - 450.0, y as f32 - 500.0);
        if (dx / 190.0).powi(2) + (dy / 250.0).powi(2) < 1.0 {
            image::Rgb([226, 186, 158])
        } else {
            image::Rgb([(x / 5) as u8, 205, (y / 6) as u8])
        }
    });
    let mut png = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(photo).write_to(&mut png, image::ImageFormat::Png).unwrap();
    let face = cccd::face::prepare(png.get_ref(), &cccd::face::FaceOptions::default()).unwrap();
    (face.jpeg, face.width, face.height)
}

/// [`cccd_image`] with a real JPEG face in DG2 and an EF.SOD signed by a fresh test PKI (CSCA brainpoolP512r1,
/// DS brainpoolP384r1); also returns the CSCA certificate as PEM.
pub fn cccd_image_signed() -> (ChipImage, String) {
    let mut image = cccd_image();
    let (jpeg, w, h) = face_jpeg();
    image.files.insert(LdsFile::dg(2).unwrap(), Dg2::from_image(jpeg, ImageDataType::Jpeg, w, h).encode().unwrap());
    sign(image)
}

/// [`cccd_image`] as it is (a 20 KB DG2 of synthetic bytes, CCCD-sized) with a signed EF.SOD.
#[allow(dead_code)]
pub fn cccd_image_20k_signed() -> (ChipImage, String) {
    sign(cccd_image())
}

/// Signs an image's data groups again with a fresh test PKI; also returns the CSCA certificate as PEM.
#[allow(dead_code)]
pub fn resign(image: ChipImage) -> (ChipImage, String) {
    sign(image)
}

/// Signs an image's data groups with a fresh test PKI (CSCA brainpoolP512r1, DS brainpoolP384r1).
fn sign(mut image: ChipImage) -> (ChipImage, String) {
    use cccd::crypto::hash::HashAlgorithm;
    use cccd::pki::SoftwareKey;
    let csca = cccd::pki::CertificateBuilder::country_signing_ca("CN=CSCA Test,C=VN")
        .serial(1)
        .valid_for_days(3650)
        .build_for_key(SoftwareKey::generate(NamedCurve::BrainpoolP512r1))
        .unwrap();
    let yesterday = std::time::SystemTime::now() - std::time::Duration::from_secs(86_400);
    let ds = cccd::pki::CertificateBuilder::document_signer("CN=DS Test,C=VN")
        .serial(5)
        .not_before(yesterday)
        .valid_for_days(365)
        .issuer(&csca)
        .build_for_key(SoftwareKey::generate(NamedCurve::BrainpoolP384r1))
        .unwrap();
    let dgs: std::collections::BTreeMap<_, _> =
        image.files.iter().filter(|(f, _)| f.dg_number().is_some()).map(|(f, b)| (*f, b.clone())).collect();
    image.files.insert(
        LdsFile::Sod,
        cccd::pki::SodBuilder::new(&ds).data_groups(&dgs).hash(HashAlgorithm::Sha256).build().unwrap(),
    );
    (image, csca.pem())
}
