//! PACE (ICAO Doc 9303-11 §4.4), terminal and chip side, every mapping: Generic Mapping with ECDH on every
//! standardized elliptic curve (parameter IDs 8–18) and with DH in every standardized MODP group (IDs 0–2,
//! RFC 5114); Integrated Mapping with ECDH (every curve with `p ≡ 3 mod 4`, i.e. all but P-224) and DH;
//! Chip Authentication Mapping with ECDH; passwords MRZ and CAN; ciphers 3DES (not with CAM) and
//! AES-128/192/256. With DH, `G~ = g^s·h`, public values travel as unsigned integers the length of `p`, the
//! public key data object of the tokens holds them under tag `84`, and the shared secret is the whole group
//! element. ICAO's worked examples G.1, G.2, H.1, H.2 and I.1 are reproduced by the tests.
//!
//! ```text
//! terminal                                              chip
//! MSE:Set AT  [80 protocol OID][83 password ref]([84 parameter ID])
//! GENERAL AUTHENTICATE 7C00                    ──►  z = E(K_π, s)                    ◄── 7C[80 z]
//! s = D(K_π, z); 7C[81 PK_Map_IFD]             ──►  H = SK_Map_IC·PK_Map_IFD         ◄── 7C[82 PK_Map_IC]
//! G~ = s·G + H;  7C[83 PK_DH_IFD = SK·G~]      ──►  K = x(SK_DH_IC·PK_DH_IFD)        ◄── 7C[84 PK_DH_IC]
//! K = x(SK_DH_IFD·PK_DH_IC); 7C[85 T_IFD]      ──►  checks T_IFD                     ◄── 7C[86 T_IC]
//! KS_enc = KDF(K,1), KS_mac = KDF(K,2), SSC = 0; tokens T = MAC(KS_mac, 7F49[06 OID][86 other side's PK_DH])
//! ```
//!
//! **Chip Authentication Mapping** (PACE-CAM, AES only) maps like GM; the chip's last answer adds
//! `8A A_IC`, its Chip Authentication Data `CA_IC = SK_IC⁻¹·SK_Map,IC mod n` encrypted with KS_enc in CBC mode
//! (IV = E(KS_enc, FF…FF), ISO 9797-1 padding 2). The terminal decrypts it into
//! [`PaceOutcome::chip_authentication_mapping`]; once DG14 has passed Passive Authentication,
//! [`ChipAuthenticationMapping::verify`] checks `PK_Map,IC = CA_IC·PK_IC` with DG14's key: the chip holds
//! `SK_IC`, with no separate Chip Authentication run.
//!
//! **Integrated Mapping** replaces step 2: the terminal sends a nonce `t` (`81 t`, the chip answers an empty
//! `82`) and both sides map `G~ = f_G(R_p(s, t))` (see [`im`]); the chip's nonce `s` is then 16 or 32 bytes.
//!
//! `K_π = KDF(π, 3)` with `π = SHA-1(MRZ information)` for the MRZ password or the CAN's ASCII digits. The
//! first three GENERAL AUTHENTICATE commands are chained (CLA `10`). Received points are checked to be on the
//! curve and not the identity; the terminal refuses a chip ephemeral key equal to its own. Tokens are compared
//! in constant time (DH values are checked to lie in the order-q subgroup). PACEInfos with proprietary domain
//! parameters are refused with [`AccessError::Unsupported`] rather than skipped silently.

use der::Decode;
use zeroize::Zeroizing;

use super::{AccessError, Unsupported};
use crate::apdu::{CommandApdu, ResponseApdu, StatusWord, commands};
use crate::crypto::dh::ModpGroup;
use crate::crypto::ec::NamedCurve;
use crate::crypto::sym::{KdfCounter, SessionKeys, SymKey, aes_cmac, mac_eq, pad_m2, retail_mac};
use crate::lds::security_infos::{Dg14, DomainParameterInfo, PaceInfo, SecurityInfos};
use crate::oid::{KeyAgreement, PaceMapping, PaceProtocol, SmCipher};
use crate::sm::SecureMessaging;
use crate::tlv::{Tag, TlvReader, encode_tlv};
use crate::transport::Transport;

/// A PACE password.
#[derive(Clone, PartialEq, Eq)]
pub enum PacePassword {
    /// The MRZ information (document number, birth and expiry dates, each with its check digit).
    Mrz(Zeroizing<String>),
    /// The card access number (6 digits on a CCCD).
    Can(Zeroizing<String>),
}

impl core::fmt::Debug for PacePassword {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            PacePassword::Mrz(_) => "PacePassword::Mrz(REDACTED)",
            PacePassword::Can(_) => "PacePassword::Can(REDACTED)",
        })
    }
}

impl PacePassword {
    /// A card access number as printed on the card: six digits (spaces around it ignored); anything else is
    /// refused before a try is spent on the chip's counter.
    pub fn can(text: &str) -> Result<Self, AccessError> {
        let can = text.trim();
        if can.len() != 6 || !can.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AccessError::InvalidCan);
        }
        Ok(PacePassword::Can(Zeroizing::new(can.to_string())))
    }

    /// The password reference of MSE:Set AT (`01` MRZ, `02` CAN).
    pub fn reference(&self) -> u8 {
        match self {
            PacePassword::Mrz(_) => 1,
            PacePassword::Can(_) => 2,
        }
    }

    /// `π`: SHA-1 of the MRZ information, or the CAN's bytes.
    fn pi(&self) -> Zeroizing<Vec<u8>> {
        match self {
            PacePassword::Mrz(m) => Zeroizing::new(crate::crypto::sym::sha1(m.as_bytes()).to_vec()),
            PacePassword::Can(c) => Zeroizing::new(c.as_bytes().to_vec()),
        }
    }

    /// `K_π = KDF(π, 3)` for `cipher`.
    pub fn key(&self, cipher: SmCipher) -> SymKey {
        SymKey::derive(cipher, &self.pi(), KdfCounter::Pi)
    }
}

/// What a PACE run uses: the protocol, the group and the parameter ID (from a PACEInfo).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaceParameters {
    /// The protocol (mapping, key agreement, cipher).
    pub protocol: PaceProtocol,
    /// The standardized domain parameter ID.
    pub parameter_id: u8,
    /// Its group: a curve or a MODP group.
    pub domain: PaceDomain,
}

impl PaceParameters {
    /// The parameters of a PACEInfo, if this implementation runs them (any mapping on standardized domain
    /// parameters).
    pub fn from_info(info: &PaceInfo) -> Result<Self, AccessError> {
        let p = info.protocol;
        let std = info.standardized_parameters().ok_or(Unsupported::ProprietaryDomainParameters)?;
        let domain = PaceDomain::from_parameter_id(std.id()).ok_or(Unsupported::DomainParameters(std))?;
        Self::new(p.mapping, p.cipher, domain).and_then(|params| {
            if params.protocol == p {
                Ok(params)
            } else {
                Err(Unsupported::ProtocolOnDomain { protocol: p, domain }.into())
            }
        })
    }

    /// Every PACEInfo of `infos` (EF.CardAccess), each with its parameters or why this implementation does
    /// not run it. A PACEInfo with a chip-specific parameter ID takes its PACEDomainParameterInfo: explicit
    /// elliptic-curve or DH parameters that are one of the standardized curves or groups run (as real chips
    /// that spell out brainpoolP256r1 do); others are refused as unsupported.
    pub fn from_security_infos(infos: &SecurityInfos) -> Vec<Result<Self, AccessError>> {
        infos
            .pace_infos()
            .map(|info| {
                if info.standardized_parameters().is_some() {
                    return Self::from_info(info);
                }
                let explicit: Vec<&DomainParameterInfo> = infos.pace_domain_parameters().collect();
                let found = explicit
                    .iter()
                    .find(|d| d.id == info.parameter_id)
                    .or_else(
                        || if explicit.len() == 1 && info.parameter_id.is_none() { explicit.first() } else { None },
                    )
                    .ok_or(Unsupported::NoDomainParameters)?;
                let domain = explicit_domain(found)?;
                let mut params = Self::new(info.protocol.mapping, info.protocol.cipher, domain)?;
                if params.protocol != info.protocol {
                    return Err(Unsupported::ProtocolOnDomain { protocol: info.protocol, domain }.into());
                }
                params.parameter_id =
                    info.parameter_id.and_then(|i| u8::try_from(i).ok()).unwrap_or(params.parameter_id);
                Ok(params)
            })
            .collect()
    }

    /// PACE with `mapping` and `cipher` on a standardized `domain` (for chips and tests that build their own).
    /// Refused: CAM with 3DES or DH (not defined), Integrated Mapping on P-224 (its point encoding needs
    /// `p ≡ 3 mod 4`).
    pub fn new(mapping: PaceMapping, cipher: SmCipher, domain: PaceDomain) -> Result<Self, AccessError> {
        if mapping == PaceMapping::Integrated && domain == PaceDomain::Ec(NamedCurve::P224) {
            // the point encoding needs p ≡ 3 (mod 4)
            return Err(Unsupported::IntegratedMapping(NamedCurve::P224).into());
        }
        if mapping == PaceMapping::ChipAuthentication && cipher == SmCipher::TripleDes {
            return Err(Unsupported::CamWith3Des.into());
        }
        let key_agreement = match domain {
            PaceDomain::Ec(_) => KeyAgreement::Ecdh,
            PaceDomain::Dh(_) if mapping == PaceMapping::ChipAuthentication => {
                return Err(Unsupported::CamWithDh.into());
            }
            PaceDomain::Dh(_) => KeyAgreement::Dh,
        };
        let parameter_id = domain.parameter_id().ok_or(Unsupported::NotStandardizedDomain(domain))?;
        Ok(PaceParameters { protocol: PaceProtocol { key_agreement, mapping, cipher }, parameter_id, domain })
    }

    /// ECDH Generic Mapping on `curve` with `cipher`.
    pub fn generic_ecdh(cipher: SmCipher, curve: NamedCurve) -> Result<Self, AccessError> {
        Self::new(PaceMapping::Generic, cipher, PaceDomain::Ec(curve))
    }

    /// DH Generic Mapping in a standardized MODP `group` with `cipher`.
    pub fn generic_dh(cipher: SmCipher, group: ModpGroup) -> Result<Self, AccessError> {
        Self::new(PaceMapping::Generic, cipher, PaceDomain::Dh(group))
    }

    /// ECDH Integrated Mapping on `curve` with `cipher`.
    pub fn integrated_ecdh(cipher: SmCipher, curve: NamedCurve) -> Result<Self, AccessError> {
        Self::new(PaceMapping::Integrated, cipher, PaceDomain::Ec(curve))
    }

    /// DH Integrated Mapping in a standardized MODP `group` with `cipher`.
    pub fn integrated_dh(cipher: SmCipher, group: ModpGroup) -> Result<Self, AccessError> {
        Self::new(PaceMapping::Integrated, cipher, PaceDomain::Dh(group))
    }

    /// ECDH Chip Authentication Mapping on `curve` with an AES `cipher`.
    pub fn chip_authentication_mapping(cipher: SmCipher, curve: NamedCurve) -> Result<Self, AccessError> {
        Self::new(PaceMapping::ChipAuthentication, cipher, PaceDomain::Ec(curve))
    }

    /// The curve, for ECDH.
    pub fn curve(&self) -> Option<NamedCurve> {
        self.domain.curve()
    }

    /// How reports name the run: `PACE-GM-ECDH-AES128 (brainpoolP256r1)`, `PACE-CAM-ECDH-AES256 (P-384)`.
    pub fn description(&self) -> String {
        let cipher = match self.protocol.cipher {
            SmCipher::TripleDes => "3DES",
            SmCipher::Aes128 => "AES128",
            SmCipher::Aes192 => "AES192",
            SmCipher::Aes256 => "AES256",
        };
        let mapping = match self.protocol.mapping {
            PaceMapping::Generic => "GM",
            PaceMapping::Integrated => "IM",
            PaceMapping::ChipAuthentication => "CAM",
        };
        let agreement = match self.domain {
            PaceDomain::Ec(_) => "ECDH",
            PaceDomain::Dh(_) => "DH",
        };
        format!("PACE-{mapping}-{agreement}-{cipher} ({})", self.domain.name())
    }

    fn oid_value(&self) -> Result<Vec<u8>, AccessError> {
        let oid = self.protocol.oid().ok_or(Unsupported::PaceProtocolWithoutOid(self.protocol))?;
        Ok(oid.as_bytes().to_vec())
    }

    /// The public key data object `7F49 { 06 OID, 86 point }` (ECDH) or `7F49 { 06 OID, 84 value }` (DH) the
    /// tokens are computed over.
    fn public_key_object(&self, point: &[u8]) -> Result<Vec<u8>, AccessError> {
        let mut body = encode_tlv(Tag::new(0x06), &self.oid_value()?);
        body.extend(encode_tlv(Tag::new(self.domain.public_key_tag()), point));
        Ok(encode_tlv(Tag::new(0x7F49), &body))
    }

    /// The authentication token over the other side's ephemeral public key: `T_IFD` over the chip's key,
    /// `T_IC` over the terminal's.
    pub fn authentication_token(&self, keys: &SessionKeys, other_point: &[u8]) -> Result<[u8; 8], AccessError> {
        self.token(keys, other_point)
    }

    fn token(&self, keys: &SessionKeys, other_point: &[u8]) -> Result<[u8; 8], AccessError> {
        let data = self.public_key_object(other_point)?;
        let mut t = [0u8; 8];
        match self.protocol.cipher {
            SmCipher::TripleDes => t = retail_mac(keys.ks_mac.as_bytes(), &pad_m2(&data, 8))?,
            _ => {
                let full = aes_cmac(keys.ks_mac.as_bytes(), &data)?;
                t.iter_mut().zip(full.iter()).for_each(|(o, f)| *o = *f);
            }
        }
        Ok(t)
    }

    /// The longest chip nonce a terminal accepts (ICAO 9303-11 sets no bound; 256 bytes is far beyond any
    /// chip reported).
    pub const MAX_NONCE_LEN: usize = 256;

    /// The cipher's block size: 8 (3DES) or 16 (AES).
    pub fn block_size(&self) -> usize {
        if self.protocol.cipher == SmCipher::TripleDes { 8 } else { 16 }
    }

    /// Whether a chip nonce `s` of `len` bytes is one the specification allows (ICAO 9303-11 §4.4.3.1 and
    /// BSI TR-03110-2 §3.2: a multiple of the block size; real 3DES chips send 16 bytes, where this crate's
    /// chip sends 8): a positive multiple of the block size, not shorter than the key for Integrated Mapping
    /// (its pseudo-random function needs that), at most [`PaceParameters::MAX_NONCE_LEN`].
    pub fn nonce_len_allowed(&self, len: usize) -> bool {
        let minimum = if self.is_integrated_mapping() { im::chip_nonce_len(self.protocol.cipher) } else { 1 };
        len >= minimum && len.is_multiple_of(self.block_size()) && len <= Self::MAX_NONCE_LEN
    }

    /// The chip nonce's default length: one cipher block (GM, CAM), or the smallest multiple of the block
    /// size not shorter than the key (IM).
    pub fn nonce_len(&self) -> usize {
        if self.protocol.mapping == PaceMapping::Integrated {
            im::chip_nonce_len(self.protocol.cipher)
        } else if self.protocol.cipher == SmCipher::TripleDes {
            8
        } else {
            16
        }
    }

    /// Whether this is Integrated Mapping.
    pub fn is_integrated_mapping(&self) -> bool {
        self.protocol.mapping == PaceMapping::Integrated
    }

    /// Whether this is PACE-CAM.
    pub fn is_chip_authentication_mapping(&self) -> bool {
        self.protocol.mapping == PaceMapping::ChipAuthentication
    }

    /// The CBC IV of PACE-CAM's encrypted Chip Authentication Data: `E(KS_enc, FF…FF)`.
    pub(crate) fn cam_iv(keys: &SessionKeys) -> Result<Vec<u8>, AccessError> {
        Ok(keys.ks_enc.sm_iv(&[0xFF; 16])?)
    }

    /// `G~ = s·G + H` or `g~ = g^s·h`.
    fn mapped_generator(&self, s: &[u8], h: &[u8]) -> Result<Vec<u8>, AccessError> {
        self.domain.generic_mapping(s, h)
    }
}

/// The group explicit PACE domain parameters describe, when it is a standardized one.
fn explicit_domain(info: &DomainParameterInfo) -> Result<PaceDomain, AccessError> {
    use crate::crypto::public_key::EcDomain;
    let any = info
        .parameters
        .as_deref()
        .map(der::Any::from_der)
        .transpose()
        .map_err(|_| AccessError::Malformed("PACEDomainParameterInfo"))?;
    if info.algorithm == crate::oid::EC_PUBLIC_KEY {
        let curve = match EcDomain::from_any(any.as_ref()).map_err(|_| AccessError::Malformed("ECParameters"))? {
            EcDomain::Named(oid) => NamedCurve::from_oid(&oid),
            EcDomain::Explicit(c) => c.named_curve().and_then(|o| NamedCurve::from_oid(&o)),
            EcDomain::ImplicitlyCa => None,
        };
        curve.map(PaceDomain::Ec).ok_or(Unsupported::ExplicitCurve.into())
    } else if info.algorithm == crate::oid::DH_PUBLIC_NUMBER {
        // DomainParameters ::= SEQUENCE { p, g, q, ... } (X9.42)
        let der = info.parameters.as_deref().unwrap_or_default();
        let seq = TlvReader::single(der, Tag::new(0x30)).map_err(|_| AccessError::Malformed("DH DomainParameters"))?;
        let ints: Vec<Vec<u8>> = TlvReader::new(seq.value())
            .take(3)
            .map(|o| o.map(|o| o.value().to_vec()))
            .collect::<Result<_, _>>()
            .map_err(|_| AccessError::Malformed("DH DomainParameters"))?;
        let [p, g, q] = ints.as_slice() else { return Err(AccessError::Malformed("DH DomainParameters")) };
        let domain = crate::crypto::dh::DhDomain::new(p, g, q)?;
        domain.standardized().map(PaceDomain::Dh).ok_or(Unsupported::ExplicitDhGroup.into())
    } else if info.algorithm == crate::oid::STANDARDIZED_DOMAIN_PARAMETERS {
        let id = any.and_then(|a| a.decode_as::<u8>().ok()).ok_or(AccessError::Malformed("domain parameter ID"))?;
        PaceDomain::from_parameter_id(id).ok_or(Unsupported::UnknownParameterId(id).into())
    } else {
        Err(Unsupported::DomainParameterAlgorithm(info.algorithm).into())
    }
}

/// The MSE:Set AT command selecting PACE (`00 22 C1 A4`, [`commands::mse_set_at_pace`]) for `params`.
pub fn mse_set_at(params: &PaceParameters, password: u8, with_parameter_id: bool) -> Result<CommandApdu, AccessError> {
    let parameter_id = with_parameter_id.then_some(params.parameter_id);
    Ok(commands::mse_set_at_pace(&params.oid_value()?, password, parameter_id))
}

/// The value of data object `tag` inside dynamic authentication data `7C` (which may hold others).
pub fn dynamic_object(data: &[u8], tag: u8) -> Result<Vec<u8>, AccessError> {
    let malformed = AccessError::Malformed("dynamic authentication data");
    let outer = TlvReader::single(data, Tag::new(0x7C)).map_err(|_| malformed.clone())?;
    for object in TlvReader::new(outer.value()) {
        let object = object.map_err(|_| malformed.clone())?;
        if object.tag() == Tag::new(u32::from(tag)) {
            return Ok(object.value().to_vec());
        }
    }
    Err(malformed)
}

fn expect_success(r: &ResponseApdu) -> Result<(), AccessError> {
    match r.sw {
        StatusWord::Success => Ok(()),
        StatusWord::VerificationFailedRetries(n) => Err(AccessError::PasswordRejected { retries_left: Some(n) }),
        StatusWord::VerificationFailed => Err(AccessError::PasswordRejected { retries_left: None }),
        sw => Err(AccessError::Rejected(sw)),
    }
}

/// A completed PACE: the secure messaging session and what ran.
#[derive(Debug)]
pub struct PaceOutcome {
    /// The session (SSC 0).
    pub session: SecureMessaging,
    /// The parameters that ran.
    pub parameters: PaceParameters,
    /// The chip's ephemeral public key (Chip Authentication after PACE binds to it).
    pub chip_ephemeral_key: Vec<u8>,
    /// PACE-CAM: what the chip sent to prove its Chip Authentication key, to check against DG14.
    pub chip_authentication_mapping: Option<ChipAuthenticationMapping>,
}

/// What PACE-CAM leaves for the terminal to check once DG14 has passed Passive Authentication: the chip's
/// mapping key `PK_Map,IC` and its decrypted Chip Authentication Data `CA_IC`.
#[derive(Clone, PartialEq, Eq)]
pub struct ChipAuthenticationMapping {
    /// The curve PACE ran on.
    pub curve: NamedCurve,
    /// `PK_Map,IC` (uncompressed SEC1).
    pub mapping_key: Vec<u8>,
    /// `CA_IC = SK_IC⁻¹·SK_Map,IC mod n` (big-endian).
    pub chip_authentication_data: Vec<u8>,
}

impl core::fmt::Debug for ChipAuthenticationMapping {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ChipAuthenticationMapping").field("curve", &self.curve).finish_non_exhaustive()
    }
}

impl ChipAuthenticationMapping {
    /// Checks `PK_Map,IC = CA_IC·PK_IC` with a Chip Authentication public key of DG14 on the PACE curve (DG14
    /// must have passed Passive Authentication for this to mean the chip is genuine). Returns the key id of
    /// the key that matched, if DG14 names one.
    pub fn verify(&self, dg14: &Dg14) -> Result<Option<u64>, AccessError> {
        self.verify_infos(&dg14.infos, "DG14")
    }

    /// [`ChipAuthenticationMapping::verify`] against the ChipAuthenticationPublicKeyInfos of any SecurityInfos
    /// (EF.CardSecurity's, where ICAO 9303-11 §4.4.3.5.1 puts the key PACE-CAM proves); `file` names them in
    /// errors.
    pub fn verify_infos(
        &self,
        infos: &crate::lds::security_infos::SecurityInfos,
        file: &'static str,
    ) -> Result<Option<u64>, AccessError> {
        use crate::crypto::public_key::PublicKey;
        let mut candidates = 0usize;
        for key in infos.chip_authentication_public_keys() {
            let PublicKey::Ec { point, .. } = &key.public_key else { continue };
            if key.public_key.curve().and_then(|o| NamedCurve::from_oid(&o)) != Some(self.curve) {
                continue;
            }
            candidates += 1;
            if self.curve.mul(point, &self.chip_authentication_data).is_ok_and(|p| p == self.mapping_key) {
                return Ok(key.key_id);
            }
        }
        if candidates == 0 {
            return Err(Unsupported::NoCamKey { file, curve: self.curve }.into());
        }
        Err(AccessError::AuthenticationFailed)
    }
}

impl PaceOutcome {
    /// `PACE-GM-ECDH-AES128 (brainpoolP256r1)`.
    pub fn description(&self) -> String {
        self.parameters.description()
    }
}

/// The terminal's secret scalars, chosen by the caller (tests reproducing published vectors); normally random.
#[derive(Clone, Default)]
pub struct TerminalSecrets {
    /// `SK_Map_IFD`.
    pub mapping: Option<Zeroizing<Vec<u8>>>,
    /// `SK_DH_IFD`.
    pub key_agreement: Option<Zeroizing<Vec<u8>>>,
    /// Integrated Mapping's nonce `t`.
    pub nonce: Option<Vec<u8>>,
}

/// Runs PACE as the terminal. `with_parameter_id` sends DO'84 (needed when the chip offers several parameter
/// sets).
pub fn authenticate<T: Transport>(
    transport: &mut T,
    params: &PaceParameters,
    password: &PacePassword,
    with_parameter_id: bool,
) -> Result<PaceOutcome, AccessError> {
    authenticate_with(transport, params, password, with_parameter_id, &TerminalSecrets::default())
}

/// [`authenticate`] with chosen secret scalars (the random ones when `None`).
pub fn authenticate_with<T: Transport>(
    transport: &mut T,
    params: &PaceParameters,
    password: &PacePassword,
    with_parameter_id: bool,
    secrets: &TerminalSecrets,
) -> Result<PaceOutcome, AccessError> {
    let domain = params.domain;
    let fresh = || domain.generate_secret();
    expect_success(&transport.transmit(&mse_set_at(params, password.reference(), with_parameter_id)?)?)?;

    // 1. the encrypted nonce
    let r = transport.transmit(&commands::pace_encrypted_nonce())?;
    expect_success(&r)?;
    let z = dynamic_object(&r.data, 0x80)?;
    if !params.nonce_len_allowed(z.len()) {
        return Err(AccessError::UnexpectedResponseLength { expected: params.nonce_len(), actual: z.len() });
    }
    let s = Zeroizing::new(password.key(params.protocol.cipher).decrypt_cbc_zero_iv(&z)?);

    // 2. mapping
    let (g_tilde, pk_map_ic) = if params.is_integrated_mapping() {
        let t = secrets.nonce.clone().unwrap_or_else(|| {
            let mut t = vec![0u8; im::terminal_nonce_len(params.protocol.cipher)];
            rand::fill(t.as_mut_slice());
            t
        });
        let r = transport.transmit(&commands::pace_map_nonce(&t))?;
        expect_success(&r)?;
        if !dynamic_object(&r.data, 0x82)?.is_empty() {
            return Err(AccessError::Malformed("Integrated Mapping data (82 must be empty)"));
        }
        (domain.integrated_mapping(params.protocol.cipher, &s, &t)?, Vec::new())
    } else {
        let sk_map = secrets.mapping.clone().unwrap_or_else(fresh);
        let pk_map = domain.public_key(&sk_map)?;
        let r = transport.transmit(&commands::pace_map_nonce(&pk_map))?;
        expect_success(&r)?;
        let pk_map_ic = dynamic_object(&r.data, 0x82)?;
        let h = Zeroizing::new(domain.exp(&pk_map_ic, &sk_map)?);
        (params.mapped_generator(&s, &h)?, pk_map_ic)
    };

    // 3. key agreement on the mapped generator
    let sk_dh = secrets.key_agreement.clone().unwrap_or_else(fresh);
    let pk_dh = domain.exp(&g_tilde, &sk_dh)?;
    let r = transport.transmit(&commands::pace_key_agreement(&pk_dh))?;
    expect_success(&r)?;
    let pk_dh_ic = dynamic_object(&r.data, 0x84)?;
    if pk_dh_ic == pk_dh {
        return Err(AccessError::AuthenticationFailed);
    }
    let shared = domain.shared_secret(&sk_dh, &pk_dh_ic)?;
    let keys = SessionKeys::derive(params.protocol.cipher, &shared);

    // 4. mutual authentication
    let t_ifd = params.token(&keys, &pk_dh_ic)?;
    let r = transport.transmit(&commands::pace_mutual_authentication(&t_ifd))?;
    expect_success(&r)?;
    let t_ic = dynamic_object(&r.data, 0x86)?;
    if !mac_eq(&t_ic, &params.token(&keys, &pk_dh)?) {
        return Err(AccessError::AuthenticationFailed);
    }
    let chip_authentication_mapping =
        if let (true, Some(curve)) = (params.is_chip_authentication_mapping(), domain.curve()) {
            let a_ic = dynamic_object(&r.data, 0x8A)?;
            let padded = Zeroizing::new(keys.ks_enc.decrypt_cbc(&PaceParameters::cam_iv(&keys)?, &a_ic)?);
            let ca_ic = crate::crypto::sym::unpad_m2(&padded, 16)
                .map_err(|_| AccessError::Malformed("PACE-CAM Chip Authentication Data"))?;
            Some(ChipAuthenticationMapping { curve, mapping_key: pk_map_ic, chip_authentication_data: ca_ic.to_vec() })
        } else {
            None
        };
    Ok(PaceOutcome {
        session: SecureMessaging::with_zero_ssc(keys),
        parameters: *params,
        chip_ephemeral_key: pk_dh_ic,
        chip_authentication_mapping,
    })
}

mod chip;
mod domain;
pub mod im;

pub use chip::{ChipSecretsOverride, PaceChip};
pub use domain::PaceDomain;
