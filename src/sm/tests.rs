use super::*;
use crate::apdu::ins;
use crate::crypto::SymKey;
use proptest::prelude::*;

fn keys(cipher: SmCipher) -> SessionKeys {
    SessionKeys::derive(cipher, b"fixed shared secret for the tests")
}

/// A terminal and a chip in the same state.
fn pair(cipher: SmCipher) -> (SecureMessaging, SecureMessaging) {
    let sm = SecureMessaging::with_zero_ssc(keys(cipher));
    (sm.clone(), sm)
}

/// A response carrying `dos` followed by a valid DO'8E, as the chip in state `chip` would MAC it.
fn with_mac(chip: &mut SecureMessaging, dos: &[u8], sw: StatusWord) -> ResponseApdu {
    chip.increment_ssc().unwrap();
    let cc = chip.mac(dos).unwrap();
    let mut data = dos.to_vec();
    data.extend_from_slice(&encode_tlv(TAG_MAC, &cc));
    ResponseApdu::new(data, sw)
}

const ALL: [SmCipher; 4] = [SmCipher::TripleDes, SmCipher::Aes128, SmCipher::Aes192, SmCipher::Aes256];

#[test]
fn ssc_length_checked_and_increments() {
    assert!(SecureMessaging::new(keys(SmCipher::Aes128), &[0; 8]).is_err());
    assert!(SecureMessaging::new(keys(SmCipher::TripleDes), &[0; 16]).is_err());
    let mut sm = SecureMessaging::new(keys(SmCipher::TripleDes), &[0, 0, 0, 0, 0, 0, 0, 0xFF]).unwrap();
    sm.increment_ssc().unwrap();
    assert_eq!(sm.ssc(), [0, 0, 0, 0, 0, 0, 1, 0]);
    let mut sm = SecureMessaging::new(keys(SmCipher::TripleDes), &[0xFF; 8]).unwrap();
    assert_eq!(sm.wrap(&CommandApdu::new(0, 0xB0, 0, 0).with_le(1)), Err(SmError::SscExhausted));
}

#[test]
fn debug_redacts_keys() {
    let sm = SecureMessaging::with_zero_ssc(SessionKeys {
        ks_enc: SymKey::new(SmCipher::Aes128, &[0xAB; 16]).unwrap(),
        ks_mac: SymKey::new(SmCipher::Aes128, &[0xCD; 16]).unwrap(),
    });
    let s = format!("{sm:?}");
    assert!(s.contains("REDACTED") && !s.contains("AB") && !s.contains("CD") && !s.contains("171"), "{s}");
}

#[test]
fn unprotected_responses_rejected() {
    for cipher in ALL {
        let fresh = || {
            let (mut terminal, _) = pair(cipher);
            terminal.wrap(&CommandApdu::new(0, ins::READ_BINARY, 0, 0).with_le(4)).unwrap();
            terminal
        };
        // Four plain bytes are not data objects with a MAC.
        let mut terminal = fresh();
        assert!(terminal.unwrap(&ResponseApdu::new(vec![1, 2, 3, 4], StatusWord::Success)).is_err());
        assert!(terminal.is_aborted());
        // An unprotected 9000 aborts the session.
        let mut terminal = fresh();
        assert_eq!(
            terminal.unwrap(&ResponseApdu::status(StatusWord::Success)),
            Err(SmError::UnprotectedResponse(StatusWord::Success))
        );
        assert!(terminal.is_aborted());
        assert_eq!(terminal.wrap(&CommandApdu::new(0, 0xB0, 0, 0).with_le(1)), Err(SmError::SessionAborted));
        // An unprotected error status is reported with its status word; the session goes on.
        let mut terminal = fresh();
        assert_eq!(
            terminal.unwrap(&ResponseApdu::status(StatusWord::FileNotFound)),
            Err(SmError::UnprotectedResponse(StatusWord::FileNotFound))
        );
        assert!(!terminal.is_aborted());
        assert!(terminal.wrap(&CommandApdu::new(0, 0xB0, 0, 0).with_le(1)).is_ok());
    }
}

#[test]
fn integrity_failures_abort_both_sides() {
    for cipher in ALL {
        let (mut terminal, mut chip) = pair(cipher);
        let command = terminal.wrap(&CommandApdu::new(0, ins::READ_BINARY, 0, 0).with_le(4)).unwrap();
        let mut forged = command.clone();
        forged.p2 = 1;
        let err = chip.unwrap_command(&forged).unwrap_err();
        assert_eq!(err, SmError::MacMismatch);
        assert_eq!(err.chip_status(), StatusWord::SmDataObjectsIncorrect);
        assert_eq!(SmError::MissingMac.chip_status(), StatusWord::SmDataObjectsMissing);
        assert!(chip.is_aborted());
        // The genuine command no longer gets through, nor can the chip protect a response.
        assert_eq!(chip.unwrap_command(&command), Err(SmError::SessionAborted));
        assert_eq!(chip.wrap_response(&ResponseApdu::status(StatusWord::Success)), Err(SmError::SessionAborted));

        let (mut terminal2, mut chip2) = pair(cipher);
        terminal2.wrap(&CommandApdu::new(0, ins::READ_BINARY, 0, 0).with_le(4)).unwrap();
        chip2.increment_ssc().unwrap();
        let mut response = chip2.wrap_response(&ResponseApdu::new(vec![1, 2, 3, 4], StatusWord::Success)).unwrap();
        response.data[3] ^= 1;
        assert_eq!(terminal2.unwrap(&response), Err(SmError::MacMismatch));
        assert_eq!(terminal2.unwrap(&response), Err(SmError::SessionAborted));
        assert!(terminal2.wrap(&CommandApdu::new(0, 0xB0, 0, 0).with_le(1)).is_err());
    }
    let keys = SessionKeys { ks_enc: keys(SmCipher::Aes128).ks_enc, ks_mac: keys(SmCipher::Aes256).ks_mac };
    assert_eq!(SecureMessaging::new(keys, &[0; 16]).unwrap_err(), SmError::MismatchedKeys);
}

#[test]
fn terminal_unwrap_negative_cases() {
    for cipher in ALL {
        let do99 = encode_tlv(TAG_STATUS, &[0x90, 0x00]);
        let run = |build: &dyn Fn(&mut SecureMessaging) -> ResponseApdu| {
            let (mut terminal, mut chip) = pair(cipher);
            // Both sides have counted one command.
            terminal.increment_ssc().unwrap();
            chip.increment_ssc().unwrap();
            let response = build(&mut chip);
            terminal.unwrap(&response)
        };
        // The reference: a valid response.
        assert_eq!(run(&|c| with_mac(c, &do99, StatusWord::Success)), Ok(ResponseApdu::status(StatusWord::Success)));
        // Missing DO'99, even with a valid MAC.
        let do87 = {
            let (_, mut c) = pair(cipher);
            c.increment_ssc().unwrap();
            c.increment_ssc().unwrap();
            let mut v = vec![1];
            v.extend_from_slice(&c.encrypt(b"data").unwrap());
            encode_tlv(TAG_CRYPTOGRAM, &v)
        };
        assert_eq!(run(&|c| with_mac(c, &do87, StatusWord::Success)), Err(SmError::MissingStatus));
        // DO'87 and DO'99: valid, decrypts.
        let mut both = do87.clone();
        both.extend_from_slice(&do99);
        assert_eq!(run(&|c| with_mac(c, &both, StatusWord::Success)).unwrap().data, b"data");
        // Missing MAC.
        assert_eq!(run(&|_| ResponseApdu::new(both.clone(), StatusWord::Success)), Err(SmError::MissingMac));
        // MAC flipped, ciphertext flipped.
        let flip = |r: ResponseApdu, i: usize| {
            let mut r = r;
            let n = r.data.len();
            r.data[if i == usize::MAX { n - 1 } else { i }] ^= 1;
            r
        };
        assert_eq!(run(&|c| flip(with_mac(c, &both, StatusWord::Success), usize::MAX)), Err(SmError::MacMismatch));
        assert_eq!(run(&|c| flip(with_mac(c, &both, StatusWord::Success), 4)), Err(SmError::MacMismatch));
        // MAC of the wrong length.
        assert_eq!(
            run(&|c| {
                let mut r = with_mac(c, &both, StatusWord::Success);
                r.data.truncate(r.data.len() - 10);
                r.data.extend_from_slice(&encode_tlv(TAG_MAC, &[0; 4]));
                r
            }),
            Err(SmError::InvalidMacLength(4))
        );
        // Something after DO'8E.
        assert!(matches!(
            run(&|c| {
                let mut r = with_mac(c, &both, StatusWord::Success);
                r.data.extend_from_slice(&do99);
                r
            }),
            Err(SmError::UnexpectedDataObject { .. })
        ));
        // Unknown tag, repeated DO'99, DO'99 before DO'87.
        let mut unknown = encode_tlv(Tag::new(0x81), b"plain");
        unknown.extend_from_slice(&do99);
        assert!(matches!(
            run(&|c| with_mac(c, &unknown, StatusWord::Success)),
            Err(SmError::UnexpectedDataObject { .. })
        ));
        let mut twice = do99.clone();
        twice.extend_from_slice(&do99);
        assert!(matches!(
            run(&|c| with_mac(c, &twice, StatusWord::Success)),
            Err(SmError::UnexpectedDataObject { .. })
        ));
        let mut reversed = do99.clone();
        reversed.extend_from_slice(&do87);
        assert!(matches!(
            run(&|c| with_mac(c, &reversed, StatusWord::Success)),
            Err(SmError::UnexpectedDataObject { .. })
        ));
        // Trailer differs from DO'99.
        assert_eq!(
            run(&|c| with_mac(c, &do99, StatusWord::EndOfFileReached)),
            Err(SmError::StatusMismatch { protected: StatusWord::Success, trailer: StatusWord::EndOfFileReached })
        );
        // DO'99 of three bytes.
        let long99 = encode_tlv(TAG_STATUS, &[0x90, 0, 0]);
        assert_eq!(run(&|c| with_mac(c, &long99, StatusWord::Success)), Err(SmError::InvalidStatusLength(3)));
        // Padding-content indicator 02, and an empty DO'87.
        let mut bad_indicator = do87.clone();
        bad_indicator[2] = 0x02;
        bad_indicator.extend_from_slice(&do99);
        assert_eq!(run(&|c| with_mac(c, &bad_indicator, StatusWord::Success)), Err(SmError::InvalidPaddingIndicator));
        let mut empty87 = encode_tlv(TAG_CRYPTOGRAM, &[]);
        empty87.extend_from_slice(&do99);
        assert_eq!(run(&|c| with_mac(c, &empty87, StatusWord::Success)), Err(SmError::InvalidPaddingIndicator));
        // A cryptogram whose plaintext has no padding, and one that is not whole blocks.
        let unpadded = {
            let (_, mut c) = pair(cipher);
            c.increment_ssc().unwrap();
            c.increment_ssc().unwrap();
            let iv = c.keys.ks_enc.sm_iv(&c.ssc).unwrap();
            let mut v = vec![1];
            v.extend_from_slice(&c.keys.ks_enc.encrypt_cbc(&iv, &vec![0x11; c.block_size()]).unwrap());
            let mut d = encode_tlv(TAG_CRYPTOGRAM, &v);
            d.extend_from_slice(&do99);
            d
        };
        assert_eq!(
            run(&|c| with_mac(c, &unpadded, StatusWord::Success)),
            Err(SmError::Crypto(CryptoError::InvalidPadding))
        );
        let mut ragged = encode_tlv(TAG_CRYPTOGRAM, &[1, 2, 3]);
        ragged.extend_from_slice(&do99);
        assert!(matches!(
            run(&|c| with_mac(c, &ragged, StatusWord::Success)),
            Err(SmError::Crypto(CryptoError::NotBlockAligned { .. }))
        ));
        // Not TLV at all.
        assert!(matches!(
            run(&|_| ResponseApdu::new(vec![0x99, 0x05, 0x90], StatusWord::Success)),
            Err(SmError::Malformed(_))
        ));
    }
}

#[test]
fn chip_unwrap_negative_cases() {
    for cipher in ALL {
        let command = CommandApdu::new(0, ins::SELECT, 2, 0x0C).with_data(vec![0x01, 0x1E]);
        let (mut terminal, chip) = pair(cipher);
        let protected = terminal.wrap(&command).unwrap();
        // Replayed command fails after a good one.
        assert_eq!(chip.clone().unwrap_command(&protected).unwrap(), command);
        {
            let mut c = chip.clone();
            c.unwrap_command(&protected).unwrap();
            assert_eq!(c.unwrap_command(&protected), Err(SmError::MacMismatch));
        }
        // Plain CLA.
        let mut plain = protected.clone();
        plain.cla = 0;
        assert_eq!(chip.clone().unwrap_command(&plain), Err(SmError::UnprotectedCommand(0)));
        // Header altered (P1): the MAC covers the header.
        let mut altered = protected.clone();
        altered.p1 = 4;
        assert_eq!(chip.clone().unwrap_command(&altered), Err(SmError::MacMismatch));
        // MAC altered.
        let mut altered = protected.clone();
        let n = altered.data.len();
        altered.data[n - 1] ^= 0x80;
        assert_eq!(chip.clone().unwrap_command(&altered), Err(SmError::MacMismatch));
        // MAC missing.
        let mut missing = protected.clone();
        missing.data.truncate(n - 10);
        assert_eq!(chip.clone().unwrap_command(&missing), Err(SmError::MissingMac));
        // Odd INS with DO'87.
        let mut odd = protected.clone();
        odd.ins = ins::READ_BINARY_ODD;
        assert!(matches!(chip.clone().unwrap_command(&odd), Err(SmError::UnexpectedDataObject { .. })));
        // A DO'97 of three bytes with a valid MAC.
        let mut c = chip.clone();
        let header = [0x0C, ins::READ_BINARY, 0, 0];
        let do97 = encode_tlv(TAG_LE, &[0, 0, 4]);
        c.increment_ssc().unwrap();
        let mut m = c.padded_header(header);
        m.extend_from_slice(&do97);
        let cc = c.mac(&m).unwrap();
        let mut data = do97.clone();
        data.extend_from_slice(&encode_tlv(TAG_MAC, &cc));
        let bad_le = CommandApdu::new(0x0C, ins::READ_BINARY, 0, 0).with_data(data).with_le(256);
        assert_eq!(chip.clone().unwrap_command(&bad_le), Err(SmError::InvalidLe(3)));
        // A DO'97 before DO'87.
        let mut reordered = encode_tlv(TAG_LE, &[0]);
        reordered.extend_from_slice(&protected.data);
        let mut r = protected.clone();
        r.data = reordered;
        assert!(matches!(chip.clone().unwrap_command(&r), Err(SmError::UnexpectedDataObject { .. })));
    }
}

#[test]
fn odd_ins_uses_do85_both_ways() {
    for cipher in ALL {
        let (mut terminal, mut chip) = pair(cipher);
        let command =
            CommandApdu::new(0, ins::READ_BINARY_ODD, 0, 0).with_data(vec![0x54, 0x02, 0x80, 0x00]).with_le(256);
        let protected = terminal.wrap(&command).unwrap();
        assert_eq!(protected.data.first(), Some(&0x85));
        assert_eq!(chip.unwrap_command(&protected).unwrap(), command);
        let answer = chip.wrap_response(&ResponseApdu::new(vec![0x53, 0x01, 0xAA], StatusWord::Success)).unwrap();
        assert_eq!(answer.data.first(), Some(&0x85));
        assert_eq!(terminal.unwrap(&answer).unwrap().data, [0x53, 0x01, 0xAA]);
    }
}

#[test]
fn extended_length() {
    for cipher in ALL {
        let (mut terminal, mut chip) = pair(cipher);
        let command = CommandApdu::new(0, ins::READ_BINARY, 0x12, 0x34).with_le(1000);
        let protected = terminal.wrap(&command).unwrap();
        assert!(protected.is_extended());
        assert_eq!(protected.le, Some(65536));
        assert_eq!(&protected.data[..4], [0x97, 0x02, 0x03, 0xE8]);
        let bytes = protected.to_bytes().unwrap();
        let unwrapped = chip.unwrap_command(&CommandApdu::from_bytes(&bytes).unwrap()).unwrap();
        assert_eq!(unwrapped.le, Some(1000));
        assert!(unwrapped.is_extended());
        let big = vec![0x42; 1000];
        let answer = chip.wrap_response(&ResponseApdu::new(big.clone(), StatusWord::Success)).unwrap();
        assert_eq!(terminal.unwrap(&answer).unwrap().data, big);
        // Long data in a short command forces an extended protected command.
        let command = CommandApdu::new(0, ins::UPDATE_BINARY, 0, 0).with_data(vec![7; 250]);
        let protected = terminal.wrap(&command).unwrap();
        assert!(protected.is_extended());
        assert_eq!(chip.unwrap_command(&protected).unwrap(), command);
    }
}

fn arb_cipher() -> impl Strategy<Value = SmCipher> {
    prop_oneof![Just(SmCipher::TripleDes), Just(SmCipher::Aes128), Just(SmCipher::Aes192), Just(SmCipher::Aes256)]
}

proptest! {
    #[test]
    fn round_trip(
        cipher in arb_cipher(),
        ins in any::<u8>(),
        p in any::<[u8; 2]>(),
        data in proptest::collection::vec(any::<u8>(), 0..300),
        le in prop_oneof![Just(None), (1usize..=256).prop_map(Some), (1usize..=65536).prop_map(Some)],
        answer in proptest::collection::vec(any::<u8>(), 0..300),
        sw in any::<u16>(),
    ) {
        let (mut terminal, mut chip) = pair(cipher);
        let command = CommandApdu::new(0, ins, p[0], p[1]).with_data(data);
        let command = match le { Some(n) => command.with_le(n), None => command };
        let protected = terminal.wrap(&command).unwrap();
        let received = CommandApdu::from_bytes(&protected.to_bytes().unwrap()).unwrap();
        let unwrapped = chip.unwrap_command(&received).unwrap();
        prop_assert_eq!(&unwrapped.data, &command.data);
        prop_assert_eq!(unwrapped.le, command.le);
        prop_assert_eq!(unwrapped.header(), command.header());
        let sw = StatusWord::from(sw);
        let response = chip.wrap_response(&ResponseApdu::new(answer.clone(), sw)).unwrap();
        let received = ResponseApdu::from_bytes(&response.to_bytes()).unwrap();
        let unwrapped = terminal.unwrap(&received).unwrap();
        prop_assert_eq!(unwrapped, ResponseApdu::new(answer, sw));
        prop_assert_eq!(terminal.ssc(), chip.ssc());
    }

    #[test]
    fn unwrap_never_panics(data in proptest::collection::vec(any::<u8>(), 0..200), sw in any::<u16>()) {
        let (mut terminal, _) = pair(SmCipher::Aes128);
        let _ = terminal.unwrap(&ResponseApdu::new(data.clone(), StatusWord::from(sw)));
        let (_, mut chip) = pair(SmCipher::TripleDes);
        let _ = chip.unwrap_command(&CommandApdu::new(0x0C, 0xB0, 0, 0).with_data(data));
    }
}
