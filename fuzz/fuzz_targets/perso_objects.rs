//! The PUT DATA objects of `docs/perso-commands.md` parsed from arbitrary bytes (the virtual chip's side): never
//! a panic, and whatever parses re-encodes to an object that parses to the same values (BER lengths may be
//! non-minimal in the input; the encoder writes minimal ones): the EAC trust point `64` and current date `67`,
//! the CAN `65`, the BAC key material `62`, the Chip Authentication key object `63`.
#![no_main]
use cccd::perso_commands as c;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((slot, cert)) = c::parse_trust_point_object(data) {
        let again = c::trust_point_object(slot, cert);
        assert_eq!(c::parse_trust_point_object(&again), Some((slot, cert)));
        let _ = cccd::cvc::CvCertificate::decode(cert);
    }
    if let Some(digits) = c::parse_current_date_object(data) {
        assert_eq!(c::parse_current_date_object(&c::current_date_object(digits)), Some(digits));
        let _ = cccd::cvc::CvcDate::decode(&digits, "current date", 0);
    }
    let _ = c::parse_pace_object(data);
    let _ = c::parse_bac_object(data);
    let _ = c::parse_chip_authentication_object(data);
});
