//! PACE as the chip runs it (the virtual chip's side), a state machine driven by the terminal's commands.
//!
//! Wrong passwords are counted: the CAN has 3 tries (`63C2`, `63C1`, `63C0`), then PACE with the CAN answers
//! `6983` (blocked) until the chip is re-personalized; a successful PACE with the CAN restores the 3 tries. A
//! failed PACE with the MRZ answers `6300` (an MRZ is printed on the document: no counter is kept for it).
//!
//! PACE-CAM needs the chip's static Chip Authentication key on the PACE curve
//! ([`PaceChip::with_chip_authentication_key`]); without it MSE:Set AT refuses CAM (`6A80`).

use zeroize::Zeroizing;

use super::{PaceOutcome, PaceParameters, PacePassword, dynamic_object};
use crate::apdu::{CommandApdu, ResponseApdu, StatusWord};
use crate::crypto::sym::{SessionKeys, mac_eq, pad_m2};
use crate::pki::SoftwareKey;
use crate::sm::SecureMessaging;
use crate::tlv::{Tag, TlvReader, encode_tlv};

/// The CAN tries a chip allows.
pub const CAN_TRIES: u8 = 3;

/// The chip's random values, chosen by the caller (tests reproducing published vectors); normally random.
#[derive(Clone, Default)]
pub struct ChipSecretsOverride {
    /// The nonce `s`.
    pub nonce: Option<Zeroizing<Vec<u8>>>,
    /// `SK_Map_IC`.
    pub mapping: Option<Zeroizing<Vec<u8>>>,
    /// `SK_DH_IC`.
    pub key_agreement: Option<Zeroizing<Vec<u8>>>,
}

enum State {
    Idle,
    Set {
        params: PaceParameters,
        password: PacePassword,
    },
    NonceSent {
        params: PaceParameters,
        password: PacePassword,
        s: Zeroizing<Vec<u8>>,
    },
    Mapped {
        params: PaceParameters,
        password: PacePassword,
        g_tilde: Vec<u8>,
        sk_map: Zeroizing<Vec<u8>>,
    },
    Agreed {
        params: PaceParameters,
        password: PacePassword,
        keys: SessionKeys,
        pk_dh_ifd: Vec<u8>,
        pk_dh_ic: Vec<u8>,
        sk_map: Zeroizing<Vec<u8>>,
    },
}

/// The chip side of PACE.
pub struct PaceChip {
    offered: Vec<PaceParameters>,
    mrz: Option<PacePassword>,
    can: Option<PacePassword>,
    can_tries: u8,
    overrides: ChipSecretsOverride,
    chip_authentication: Option<SoftwareKey>,
    nonce_blocks: Option<usize>,
    state: State,
}

impl core::fmt::Debug for PaceChip {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PaceChip").field("offered", &self.offered).field("can_tries", &self.can_tries).finish()
    }
}

fn sw(s: u16) -> ResponseApdu {
    ResponseApdu::status(StatusWord::from(s))
}

fn dynamic(tag: u8, value: &[u8]) -> ResponseApdu {
    ResponseApdu {
        data: encode_tlv(Tag::new(0x7C), &encode_tlv(Tag::new(u32::from(tag)), value)),
        sw: StatusWord::Success,
    }
}

impl PaceChip {
    /// A chip offering `offered` (its EF.CardAccess PACEInfos) with these passwords.
    pub fn new(offered: Vec<PaceParameters>, mrz_information: Option<&str>, can: Option<&str>) -> Self {
        PaceChip {
            offered,
            mrz: mrz_information.map(|m| PacePassword::Mrz(Zeroizing::new(m.to_string()))),
            can: can.map(|c| PacePassword::Can(Zeroizing::new(c.to_string()))),
            can_tries: CAN_TRIES,
            overrides: ChipSecretsOverride::default(),
            chip_authentication: None,
            nonce_blocks: None,
            state: State::Idle,
        }
    }

    /// Uses these values instead of random ones (tests).
    pub fn with_secrets(mut self, overrides: ChipSecretsOverride) -> Self {
        self.overrides = overrides;
        self
    }

    /// The static Chip Authentication key PACE-CAM proves (its public half is in DG14).
    pub fn with_chip_authentication_key(mut self, key: SoftwareKey) -> Self {
        self.chip_authentication = Some(key);
        self
    }

    /// Sends nonces of `blocks` cipher blocks (2 → 16 bytes with 3DES, 32 with AES), as some real chips do,
    /// instead of the shortest allowed; for Integrated Mapping never fewer than it needs.
    pub fn with_nonce_blocks(mut self, blocks: usize) -> Self {
        self.nonce_blocks = Some(blocks.max(1));
        self
    }

    /// CAN tries left.
    pub fn can_tries(&self) -> u8 {
        self.can_tries
    }

    /// Forgets a PACE in progress (a reset, another protocol started).
    pub fn abort(&mut self) {
        self.state = State::Idle;
    }

    /// MSE:Set AT (`00 22 C1 A4`).
    pub fn set_at(&mut self, c: &CommandApdu) -> ResponseApdu {
        self.state = State::Idle;
        let (mut oid, mut reference, mut id) = (None, None, None);
        for object in TlvReader::new(&c.data) {
            let Ok(object) = object else { return sw(0x6A80) };
            match object.tag().value() {
                0x80 => oid = Some(object.value().to_vec()),
                0x83 => reference = object.value().first().copied(),
                0x84 => id = object.value().first().copied(),
                _ => {}
            }
        }
        let (Some(oid), Some(reference)) = (oid, reference) else { return sw(0x6A80) };
        let cam_key_on =
            |p: &PaceParameters| self.chip_authentication.as_ref().is_some_and(|k| Some(k.curve()) == p.curve());
        let Some(params) = self.offered.iter().copied().find(|p| {
            p.protocol.oid().is_some_and(|o| o.as_bytes() == oid.as_slice())
                && id.is_none_or(|i| i == p.parameter_id)
                && (!p.is_chip_authentication_mapping() || cam_key_on(p))
        }) else {
            return sw(0x6A80);
        };
        let password = match reference {
            1 => self.mrz.clone(),
            2 if self.can_tries == 0 => return sw(0x6983),
            2 => self.can.clone(),
            _ => None,
        };
        let Some(password) = password else { return sw(0x6A88) };
        self.state = State::Set { params, password };
        sw(0x9000)
    }

    /// GENERAL AUTHENTICATE (`x0 86 00 00`); returns the session when PACE completes.
    pub fn general_authenticate(&mut self, c: &CommandApdu) -> (ResponseApdu, Option<PaceOutcome>) {
        match self.step(c) {
            Ok(done) => done,
            Err(status) => {
                self.state = State::Idle;
                (sw(status), None)
            }
        }
    }

    fn secret(slot: &Option<Zeroizing<Vec<u8>>>, params: &PaceParameters) -> Zeroizing<Vec<u8>> {
        slot.clone().unwrap_or_else(|| params.domain.generate_secret())
    }

    fn step(&mut self, c: &CommandApdu) -> Result<(ResponseApdu, Option<PaceOutcome>), u16> {
        let state = core::mem::replace(&mut self.state, State::Idle);
        match state {
            State::Idle => Err(0x6985),
            State::Set { params, password } => {
                let outer = TlvReader::single(&c.data, Tag::new(0x7C)).map_err(|_| 0x6A80u16)?;
                if !outer.value().is_empty() {
                    return Err(0x6A80);
                }
                let len = match self.nonce_blocks {
                    Some(b) => (b * params.block_size()).max(params.nonce_len()),
                    None => params.nonce_len(),
                };
                let s = self.overrides.nonce.clone().unwrap_or_else(|| {
                    let mut n = Zeroizing::new(vec![0u8; len]);
                    rand::fill(n.as_mut_slice());
                    n
                });
                let z = password.key(params.protocol.cipher).encrypt_cbc_zero_iv(&s).map_err(|_| 0x6F00u16)?;
                self.state = State::NonceSent { params, password, s };
                Ok((dynamic(0x80, &z), None))
            }
            State::NonceSent { params, password, s } if params.is_integrated_mapping() => {
                let t = dynamic_object(&c.data, 0x81).map_err(|_| 0x6A80u16)?;
                let g_tilde =
                    params.domain.integrated_mapping(params.protocol.cipher, &s, &t).map_err(|_| 0x6A80u16)?;
                self.state = State::Mapped { params, password, g_tilde, sk_map: Zeroizing::new(Vec::new()) };
                Ok((dynamic(0x82, &[]), None))
            }
            State::NonceSent { params, password, s } => {
                let pk_map_ifd = dynamic_object(&c.data, 0x81).map_err(|_| 0x6A80u16)?;
                let domain = params.domain;
                let sk = Self::secret(&self.overrides.mapping, &params);
                let pk_map_ic = domain.public_key(&sk).map_err(|_| 0x6F00u16)?;
                if pk_map_ic == pk_map_ifd {
                    return Err(0x6A80);
                }
                let h = Zeroizing::new(domain.exp(&pk_map_ifd, &sk).map_err(|_| 0x6A80u16)?);
                let g_tilde = params.mapped_generator(&s, &h).map_err(|_| 0x6A80u16)?;
                self.state = State::Mapped { params, password, g_tilde, sk_map: sk };
                Ok((dynamic(0x82, &pk_map_ic), None))
            }
            State::Mapped { params, password, g_tilde, sk_map } => {
                let pk_dh_ifd = dynamic_object(&c.data, 0x83).map_err(|_| 0x6A80u16)?;
                let domain = params.domain;
                let sk = Self::secret(&self.overrides.key_agreement, &params);
                let pk_dh_ic = domain.exp(&g_tilde, &sk).map_err(|_| 0x6F00u16)?;
                if pk_dh_ic == pk_dh_ifd {
                    return Err(0x6A80);
                }
                let shared = domain.shared_secret(&sk, &pk_dh_ifd).map_err(|_| 0x6A80u16)?;
                let keys = SessionKeys::derive(params.protocol.cipher, &shared);
                let response = dynamic(0x84, &pk_dh_ic);
                self.state = State::Agreed { params, password, keys, pk_dh_ifd, pk_dh_ic, sk_map };
                Ok((response, None))
            }
            State::Agreed { params, password, keys, pk_dh_ifd, pk_dh_ic, sk_map } => {
                let t_ifd = dynamic_object(&c.data, 0x85).map_err(|_| 0x6A80u16)?;
                let expected = params.token(&keys, &pk_dh_ic).map_err(|_| 0x6F00u16)?;
                if !mac_eq(&t_ifd, &expected) {
                    return Err(match password {
                        PacePassword::Can(_) => {
                            self.can_tries = self.can_tries.saturating_sub(1);
                            0x63C0 | u16::from(self.can_tries)
                        }
                        PacePassword::Mrz(_) => 0x6300,
                    });
                }
                if matches!(password, PacePassword::Can(_)) {
                    self.can_tries = CAN_TRIES;
                }
                let t_ic = params.token(&keys, &pk_dh_ifd).map_err(|_| 0x6F00u16)?;
                let mut data = encode_tlv(Tag::new(0x86), &t_ic);
                if params.is_chip_authentication_mapping() {
                    let key = self.chip_authentication.as_ref().ok_or(0x6985u16)?;
                    let ca_ic = key.chip_authentication_data(&sk_map).map_err(|_| 0x6F00u16)?;
                    let iv = PaceParameters::cam_iv(&keys).map_err(|_| 0x6F00u16)?;
                    let a_ic =
                        keys.ks_enc.encrypt_cbc(&iv, &Zeroizing::new(pad_m2(&ca_ic, 16))).map_err(|_| 0x6F00u16)?;
                    data.extend(encode_tlv(Tag::new(0x8A), &a_ic));
                }
                let outcome = PaceOutcome {
                    session: SecureMessaging::with_zero_ssc(keys),
                    parameters: params,
                    chip_ephemeral_key: pk_dh_ic,
                    chip_authentication_mapping: None,
                };
                let response = ResponseApdu { data: encode_tlv(Tag::new(0x7C), &data), sw: StatusWord::Success };
                Ok((response, Some(outcome)))
            }
        }
    }
}
