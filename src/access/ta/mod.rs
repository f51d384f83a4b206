//! Terminal Authentication version 1 (ICAO 9303-11 §7.1 and Appendix K, BSI TR-03110-3 B.3/B.11): the terminal
//! proves to the chip that it holds an inspection-system key certified (through a Document Verifier) by a CVCA
//! the chip trusts, and so gains read access to DG3/DG4 as the chain's effective authorization says.
//!
//! Order: BAC or PACE, Chip Authentication (SM restarts with its keys), read EF.CVCA, then per certificate
//! `MSE:Set DST` (`00 22 81 B6`, `83 CAR`) and `PSO:Verify Certificate` (`00 2A 00 BE`, the value of `7F21`);
//! `MSE:Set AT` (`00 22 81 A4`, `83 CHR` only, no `80` in version 1); `GET CHALLENGE` (8 bytes `r_IC`);
//! `EXTERNAL AUTHENTICATE` with `Sign(SK_IFD, ID_IC ‖ r_IC ‖ Comp(PK_DH,IFD))`: `ID_IC` is the document number
//! with its check digit after BAC, `Comp` of the chip's ephemeral PACE key after PACE; `PK_DH,IFD` is the
//! terminal's ephemeral Chip Authentication key; `Comp` is the x-coordinate (ECDH) or SHA-1 of the public value
//! (DH). ECDSA signatures are plain `r‖s`.
//!
//! [`terminal_authenticate`] is the terminal side; [`chip::TaChip`] the chip side's state machine.

pub mod chip;

pub use chip::{TaBinding, TaChip};

use std::sync::Arc;

use crate::apdu::{CommandApdu, ResponseApdu, StatusWord, commands};
use crate::crypto::hash::HashAlgorithm;
use crate::cvc::{ChainError, CvCertificate, CvcDate, CvcError, KeyContext, Reference, Role};
use crate::pki::Signer;
use crate::sm::{SecureChannel, SmError};
use crate::transport::Transport;

/// `ID_IC`, the chip's identifier in the signed message.
#[derive(Clone, PartialEq, Eq)]
pub struct IdIc(Vec<u8>);

impl core::fmt::Debug for IdIc {
    /// The document number is personal data: only the length is printed.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "IdIc({} bytes)", self.0.len())
    }
}

impl IdIc {
    /// After BAC: the document number as in the MRZ (padded with `<` to 9 characters when shorter) followed by
    /// its check digit, in ASCII.
    pub fn from_bac(document_number: &str) -> Result<Self, crate::mrz::MrzError> {
        let mut field = document_number.to_string();
        while field.len() < 9 {
            field.push('<');
        }
        let digit = crate::mrz::check_digit(&field)?;
        let mut bytes = field.into_bytes();
        bytes.push(b'0' + digit);
        Ok(IdIc(bytes))
    }

    /// After PACE: `Comp` of the chip's ephemeral key-agreement public key (GENERAL AUTHENTICATE step 3).
    pub fn from_pace(chip_ephemeral_key: &[u8]) -> Self {
        IdIc(comp(chip_ephemeral_key))
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// `Comp(PK)` (9303-11 §7.1.4.1.3, §7.1.4.2.3): the x-coordinate of an uncompressed EC point (`04 ‖ X ‖ Y`, an
/// odd length), else SHA-1 of a DH public value.
pub fn comp(public_key: &[u8]) -> Vec<u8> {
    match public_key.split_first() {
        Some((0x04, xy)) if xy.len() % 2 == 0 && !xy.is_empty() => xy.get(..xy.len() / 2).unwrap_or_default().to_vec(),
        _ => HashAlgorithm::Sha1.digest(public_key),
    }
}

/// What Terminal Authentication v1 signs: `ID_IC ‖ r_IC ‖ Comp(PK_DH,IFD)`.
pub fn signature_input(id_ic: &IdIc, challenge: &[u8], terminal_key_comp: &[u8]) -> Vec<u8> {
    [id_ic.as_bytes(), challenge, terminal_key_comp].concat()
}

/// An inspection system's credentials: its certificate chain and private key.
#[derive(Clone)]
pub struct TerminalCredentials {
    /// The chain: optionally the CVCA, link certificates, the DV certificate, then the IS certificate last.
    pub chain: Vec<CvCertificate>,
    /// The IS certificate's private key.
    pub key: Arc<dyn Signer>,
}

impl core::fmt::Debug for TerminalCredentials {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let chrs: Vec<String> = self.chain.iter().map(|c| c.chr().to_string()).collect();
        f.debug_struct("TerminalCredentials").field("chain", &chrs).finish_non_exhaustive()
    }
}

impl TerminalCredentials {
    /// The IS (terminal) certificate: the last of the chain.
    pub fn terminal_certificate(&self) -> Result<&CvCertificate, TaError> {
        self.chain.last().filter(|c| c.body.chat.role() == Role::Terminal).ok_or(TaError::NoTerminalCertificate)
    }

    /// The certificates to send to a chip that trusts `trust_points` (EF.CVCA): from the first one whose CAR it
    /// trusts, a leading self-signed CVCA left out; when none matches, from the first that is not self-signed
    /// (the chip will refuse it with `6A88`).
    pub fn to_send(&self, trust_points: &[Reference]) -> Vec<&CvCertificate> {
        let chain: Vec<&CvCertificate> = self.chain.iter().filter(|c| !c.is_self_signed()).collect();
        let start = chain.iter().position(|c| trust_points.contains(c.car())).unwrap_or(0);
        chain.into_iter().skip(start).collect()
    }

    /// The terminal's own view of the chain on `date`, from its CVCA certificate when the chain includes it
    /// (the same check the chip runs): the IS key's context, or why the chain fails.
    pub fn check(&self, date: CvcDate) -> Option<Result<KeyContext, ChainError>> {
        let cvca = self.chain.first().filter(|c| c.is_self_signed())?;
        let mut ctx = KeyContext::trust_point(cvca).ok()?;
        for c in self.chain.iter().skip(1) {
            ctx = match ctx.verify(c, date) {
                Ok(next) => next,
                Err(e) => return Some(Err(e)),
            };
        }
        Some(Ok(ctx))
    }
}

/// Why Terminal Authentication failed, from the terminal's side: the chip's status word and the terminal's own
/// reason. Never carries keys or the document number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TaError {
    /// The caller's chain does not end with an inspection-system certificate.
    #[error("the terminal chain does not end with an inspection-system certificate")]
    NoTerminalCertificate,
    /// The chip does not know the key that certifies the chain: it comes from another CVCA (`6A88` on MSE:Set DST).
    #[error("the chip does not trust {car} (its trust points: {}; status {status})", list(chip_trust_points))]
    UnknownTrustPoint {
        /// The CAR the chain starts from.
        car: Reference,
        /// The chip's trust points (EF.CVCA).
        chip_trust_points: Vec<Reference>,
        /// The chip's status word.
        status: StatusWord,
    },
    /// The chip refused a certificate (PSO:Verify Certificate): `reason` is the terminal's own diagnosis (an
    /// expired certificate, a bad signature…) when it could check the chain itself.
    #[error("the chip refused certificate {chr} with status {status}{}", reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default())]
    CertificateRefused {
        /// The refused certificate's holder.
        chr: Reference,
        /// The chip's status word.
        status: StatusWord,
        /// The terminal's diagnosis.
        reason: Option<ChainError>,
    },
    /// The chip did not accept the terminal key for authentication (MSE:Set AT).
    #[error("the chip refused MSE:Set AT for {chr} with status {status}")]
    KeyRefused {
        /// The IS certificate's holder.
        chr: Reference,
        /// The chip's status word.
        status: StatusWord,
    },
    /// GET CHALLENGE failed or returned other than 8 bytes.
    #[error("GET CHALLENGE failed (status {status}, {len} bytes)")]
    Challenge {
        /// The chip's status word.
        status: StatusWord,
        /// The number of bytes returned.
        len: usize,
    },
    /// The chip found the terminal's signature invalid (`6300`).
    #[error("the chip rejected the terminal's signature (status {0})")]
    SignatureRejected(StatusWord),
    /// The chip does not allow Terminal Authentication now (`6982`: already done in this session, no Chip
    /// Authentication before it, or not under secure messaging).
    #[error("the chip does not allow Terminal Authentication now (status {0})")]
    NotAllowed(StatusWord),
    /// Another refusal of EXTERNAL AUTHENTICATE.
    #[error("the chip refused EXTERNAL AUTHENTICATE with status {0}")]
    Refused(StatusWord),
    /// The terminal key could not sign.
    #[error("the terminal key could not sign: {0}")]
    Signing(#[from] CvcError),
    /// Secure messaging failed.
    #[error(transparent)]
    Sm(#[from] SmError),
}

fn list(refs: &[Reference]) -> String {
    if refs.is_empty() { "none".into() } else { refs.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(", ") }
}

/// What a successful Terminal Authentication gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaOutcome {
    /// The IS certificate's holder.
    pub terminal: Reference,
    /// The certificates sent, by CHR.
    pub sent: Vec<Reference>,
    /// The effective access bits the terminal expects (DG3 `01`, DG4 `02`: the AND over the chain), when it
    /// could compute them (its chain includes the CVCA); otherwise the IS certificate's own bits.
    pub access: u8,
}

impl TaOutcome {
    /// Whether DG3 (fingerprints) may now be read.
    pub fn reads_dg3(&self) -> bool {
        self.access & crate::cvc::READ_DG3 != 0
    }

    /// Whether DG4 (iris) may now be read.
    pub fn reads_dg4(&self) -> bool {
        self.access & crate::cvc::READ_DG4 != 0
    }
}

fn send<T: Transport>(channel: &mut SecureChannel<T>, c: &CommandApdu) -> Result<ResponseApdu, TaError> {
    // a certificate with SM overhead may exceed short Lc: extended length then
    let c = if c.data.len() > 200 { c.clone().extended() } else { c.clone() };
    Ok(channel.transmit(&c)?)
}

/// Runs Terminal Authentication v1 in `channel`'s session (after Chip Authentication). `trust_points` is the
/// content of EF.CVCA; `id_ic` from BAC or PACE; `terminal_key_comp` is `Comp` of the terminal's ephemeral
/// Chip Authentication key; `today` dates the terminal's own diagnosis.
pub fn terminal_authenticate<T: Transport>(
    channel: &mut SecureChannel<T>,
    credentials: &TerminalCredentials,
    trust_points: &[Reference],
    id_ic: &IdIc,
    terminal_key_comp: &[u8],
    today: CvcDate,
) -> Result<TaOutcome, TaError> {
    let is_cert = credentials.terminal_certificate()?;
    let own_view = credentials.check(today);
    let to_send = credentials.to_send(trust_points);
    let mut sent = Vec::new();
    for cert in &to_send {
        let r = send(channel, &commands::mse_set_dst(cert.car().as_bytes()))?;
        if r.sw != StatusWord::Success {
            return Err(TaError::UnknownTrustPoint {
                car: cert.car().clone(),
                chip_trust_points: trust_points.to_vec(),
                status: r.sw,
            });
        }
        let r = send(channel, &commands::pso_verify_certificate(cert.value()))?;
        if r.sw != StatusWord::Success {
            let reason = match &own_view {
                Some(Err(e)) if e.chr() == cert.chr() => Some(e.clone()),
                _ => None,
            };
            return Err(TaError::CertificateRefused { chr: cert.chr().clone(), status: r.sw, reason });
        }
        sent.push(cert.chr().clone());
    }
    let r = send(channel, &commands::mse_set_at_terminal_authentication(is_cert.chr().as_bytes()))?;
    if r.sw != StatusWord::Success {
        return Err(TaError::KeyRefused { chr: is_cert.chr().clone(), status: r.sw });
    }
    let r = send(channel, &commands::get_challenge(8))?;
    if r.sw != StatusWord::Success || r.data.len() != 8 {
        return Err(TaError::Challenge { status: r.sw, len: r.data.len() });
    }
    let message = signature_input(id_ic, &r.data, terminal_key_comp);
    let signature = is_cert.body.public_key.algorithm.sign(credentials.key.as_ref(), &message)?;
    let r = send(channel, &commands::external_authenticate(&signature))?;
    match r.sw {
        StatusWord::Success => {}
        sw @ StatusWord::VerificationFailed => return Err(TaError::SignatureRejected(sw)),
        sw @ StatusWord::SecurityStatusNotSatisfied => return Err(TaError::NotAllowed(sw)),
        sw => return Err(TaError::Refused(sw)),
    }
    let access = match &own_view {
        Some(Ok(ctx)) => ctx.access_bits(),
        _ => is_cert.body.chat.access_bits(),
    };
    Ok(TaOutcome { terminal: is_cert.chr().clone(), sent, access })
}
