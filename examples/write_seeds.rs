//! Writes small sample files for the fuzz seed corpora: `cargo run --example write_seeds -- fuzz/corpus`.
use cccd::lds::com::Com;
use cccd::lds::details::{Dg11, Dg12, dg11_tags, dg12_tags};
use cccd::lds::dg2::Dg2;
use cccd::lds::dg2::facial::ImageDataType;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "fuzz/corpus".into()));
    let write = |target: &str, name: &str, bytes: &[u8]| -> std::io::Result<()> {
        let d = dir.join(target);
        std::fs::create_dir_all(&d)?;
        std::fs::write(d.join(name), bytes)
    };
    write("com", "cccd.bin", &Com::cccd().encode())?;
    let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 0xFF, 0xD9];
    write("dg2", "small.bin", &Dg2::from_image(jpeg.to_vec(), ImageDataType::Jpeg, 48, 64).encode()?)?;
    let mut dg11 = Dg11::default();
    dg11.fields
        .set(dg11_tags::FULL_NAME, "NGUYỄN VĂN A".as_bytes())
        .set_repeated(dg11_tags::OTHER_NAME, vec![b"NVA".to_vec()])
        .set(dg11_tags::PLACE_OF_BIRTH, "Hà Nội".as_bytes());
    write("dg11", "sample.bin", &dg11.encode()?)?;
    let mut dg12 = Dg12::default();
    dg12.fields
        .set(dg12_tags::ISSUING_AUTHORITY, "BỘ CÔNG AN".as_bytes())
        .set(dg12_tags::DATE_OF_ISSUE, b"20210420".to_vec())
        .set_repeated(dg12_tags::OTHER_PERSON, vec![b"A".to_vec(), b"B".to_vec()]);
    write("dg12", "sample.bin", &dg12.encode()?)?;
    // EF.CardSecurity signed by a throwaway Document Signer; DG1 as TD2; a padded and a status-word capture
    use cccd::crypto::ec::NamedCurve;
    use cccd::pki::{CertificateBuilder, DocumentSigner, SoftwareKey};
    let csca = CertificateBuilder::country_signing_ca("CN=Seed CSCA,C=VN")
        .serial(1)
        .valid_for_days(30)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))?;
    let ds = CertificateBuilder::document_signer("CN=Seed DS,C=VN")
        .serial(2)
        .valid_for_days(30)
        .issuer(&csca)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))?;
    let infos = cccd::lds::security_infos::CardAccess::cccd().infos;
    let card_security = DocumentSigner::from(ds).card_security(&infos)?;
    write("card_security", "issued.bin", &card_security)?;
    write("card_security", "padded.bin", &[card_security.as_slice(), &[0xFF; 40]].concat())?;
    let td2 = cccd::mrz::Mrz::parse("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6")?;
    let dg1 = cccd::lds::dg1::Dg1::new(td2)?.encode()?;
    write("dg1", "td2.bin", &dg1)?;
    write("dg1", "td2-9000.bin", &[dg1.as_slice(), &[0x90, 0x00]].concat())?;
    write("com", "padded.bin", &[Com::cccd().encode().as_slice(), &[0x00; 16]].concat())?;
    Ok(())
}
