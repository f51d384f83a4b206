//! The chip side of Terminal Authentication v1: trust points and the current date (set at personalization,
//! kept across sessions), the certificate chain checked with [`KeyContext::verify`], the date moved by valid
//! certificates as 9303-11 §7.1.4.3 says, link certificates becoming trust points (two at most, EF.CVCA
//! rewritten), the effective authorization (the AND over the chain), one TA per session, and the access
//! decision for DG3/DG4. The virtual chip embeds it and calls it for commands that arrive under secure
//! messaging established by Chip Authentication.
//!
//! Status words (9303-11 §7.1.5, TR-03110-3 B.8): MSE:Set DST `6A88` for an unknown key; PSO:Verify
//! Certificate `6A88` when the CAR is not the selected key, `6984` for a bad signature, an expired DV or IS
//! certificate, a broken hierarchy or an unusable key; MSE:Set AT `6A88` for a key that is not the imported IS
//! key, `6A80` for other data; EXTERNAL AUTHENTICATE `6985` without GET CHALLENGE, `6982` when TA is not
//! allowed (done already in this session, or no Chip Authentication), `6300` for an invalid signature;
//! DG3/DG4 `6982` until TA gave the right.

use super::{IdIc, signature_input};
use crate::apdu::{CommandApdu, ResponseApdu, StatusWord, ins};
use crate::cvc::{CvCertificate, CvcDate, CvcError, EfCvca, KeyContext, READ_DG3, READ_DG4, Reference, Role};
use crate::tlv::{Tag, TlvReader};

/// What binds TA to the session: `ID_IC` (from BAC or PACE) and `Comp` of the terminal's ephemeral Chip
/// Authentication key. The virtual chip sets it when Chip Authentication succeeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaBinding {
    /// The chip's identifier.
    pub id_ic: IdIc,
    /// `Comp(PK_DH,IFD)`.
    pub terminal_key_comp: Vec<u8>,
}

/// Per-session state: forgotten when the session ends (temporary keys are not usable after power-down).
#[derive(Debug, Clone, Default)]
struct Session {
    /// The key MSE:Set DST selected.
    selected: Option<KeyContext>,
    /// The most recently imported DV or IS key.
    imported: Option<KeyContext>,
    /// The IS key MSE:Set AT selected.
    terminal: Option<KeyContext>,
    challenge: Option<[u8; 8]>,
    /// The access bits granted by a successful TA.
    granted: Option<u8>,
}

/// The chip's Terminal Authentication state.
#[derive(Debug, Clone)]
pub struct TaChip {
    /// Trust points, most recent first (two at most).
    trust_points: Vec<KeyContext>,
    current_date: CvcDate,
    session: Session,
}

fn status(sw: StatusWord) -> ResponseApdu {
    ResponseApdu::status(sw)
}

impl TaChip {
    /// A chip trusting `cvca` (a self-signed CVCA or link certificate with domain parameters), its current date
    /// set to `personalization_date` (9303-11 §7.1.4.3.1).
    pub fn new(cvca: &CvCertificate, personalization_date: CvcDate) -> Result<Self, CvcError> {
        Ok(TaChip {
            trust_points: vec![KeyContext::trust_point(cvca)?],
            current_date: personalization_date,
            session: Session::default(),
        })
    }

    /// Adds the previous CVCA key as a second trust point (it goes after the current one).
    pub fn add_previous_trust_point(&mut self, cvca: &CvCertificate) -> Result<(), CvcError> {
        if self.trust_points.len() >= 2 {
            return Err(CvcError::Unencodable("a third trust point"));
        }
        self.trust_points.push(KeyContext::trust_point(cvca)?);
        Ok(())
    }

    /// The trust points' references, most recent first.
    pub fn trust_points(&self) -> Vec<Reference> {
        self.trust_points.iter().map(|t| t.chr.clone()).collect()
    }

    /// The chip's current date (the most recent effective date it has accepted).
    pub fn current_date(&self) -> CvcDate {
        self.current_date
    }

    /// EF.CVCA as the chip serves it.
    pub fn ef_cvca(&self) -> Result<Vec<u8>, CvcError> {
        EfCvca { cars: self.trust_points() }.encode()
    }

    /// Ends the session: imported keys, the challenge and granted rights are forgotten.
    pub fn end_session(&mut self) {
        self.session = Session::default();
    }

    /// The access bits granted in this session (`None` before a successful TA).
    pub fn granted(&self) -> Option<u8> {
        self.session.granted
    }

    /// Whether data group `dg` may be read now: DG3 and DG4 only after TA with their bit; every other data
    /// group is not this state machine's concern (`true`).
    pub fn may_read(&self, dg: u8) -> bool {
        let bit = match dg {
            3 => READ_DG3,
            4 => READ_DG4,
            _ => return true,
        };
        self.session.granted.is_some_and(|g| g & bit != 0)
    }

    /// Whether `command` is one of Terminal Authentication's (MSE:Set DST/AT with P1 `81`, PSO:Verify
    /// Certificate, EXTERNAL AUTHENTICATE). GET CHALLENGE belongs to TA once MSE:Set AT selected a key.
    pub fn handles(&self, command: &CommandApdu) -> bool {
        match (command.ins, command.p1, command.p2) {
            (ins::MANAGE_SECURITY_ENVIRONMENT, 0x81, 0xB6 | 0xA4) => true,
            (ins::PERFORM_SECURITY_OPERATION, 0x00, 0xBE) => true,
            (ins::EXTERNAL_AUTHENTICATE, _, _) => true,
            (ins::GET_CHALLENGE, _, _) => self.session.terminal.is_some(),
            _ => false,
        }
    }

    /// Processes a TA command (already unwrapped from secure messaging). `binding` is `None` when Chip
    /// Authentication has not run in this session; `challenge` gives the 8 bytes GET CHALLENGE answers.
    pub fn process(&mut self, command: &CommandApdu, binding: Option<&TaBinding>, challenge: [u8; 8]) -> ResponseApdu {
        match (command.ins, command.p2) {
            (ins::MANAGE_SECURITY_ENVIRONMENT, 0xB6) => self.set_dst(command),
            (ins::MANAGE_SECURITY_ENVIRONMENT, 0xA4) => self.set_at(command),
            (ins::PERFORM_SECURITY_OPERATION, _) => self.verify_certificate(command),
            (ins::GET_CHALLENGE, _) => self.get_challenge(command, challenge),
            (ins::EXTERNAL_AUTHENTICATE, _) => self.external_authenticate(command, binding),
            _ => status(StatusWord::InsNotSupported),
        }
    }

    fn reference(command: &CommandApdu) -> Result<Reference, StatusWord> {
        let t = TlvReader::single(&command.data, Tag::new(0x83)).map_err(|_| StatusWord::IncorrectData)?;
        if t.value().is_empty() || t.value().len() > 16 {
            return Err(StatusWord::IncorrectData);
        }
        Ok(Reference::from_bytes(t.value()))
    }

    fn set_dst(&mut self, command: &CommandApdu) -> ResponseApdu {
        let car = match Self::reference(command) {
            Ok(r) => r,
            Err(sw) => return status(sw),
        };
        // the terminal may use only the most recently imported key, or a trust point
        let key = self.session.imported.iter().chain(self.trust_points.iter()).find(|k| k.chr == car).cloned();
        match key {
            Some(k) => {
                self.session.selected = Some(k);
                status(StatusWord::Success)
            }
            None => {
                self.session.selected = None;
                status(StatusWord::ReferencedDataNotFound)
            }
        }
    }

    fn verify_certificate(&mut self, command: &CommandApdu) -> ResponseApdu {
        let Some(issuer) = self.session.selected.clone() else {
            return status(StatusWord::ConditionsNotSatisfied);
        };
        let Ok(cert) = CvCertificate::decode_value(&command.data) else {
            return status(StatusWord::IncorrectData);
        };
        let is_trust_point = self.trust_points.iter().any(|t| t.chr == issuer.chr);
        let link = cert.body.chat.role() == Role::Cvca;
        // an expired trust point no longer verifies DV certificates (it still accepts a link certificate)
        if is_trust_point && !link && issuer.expiry < self.current_date {
            return status(StatusWord::ReferenceDataNotUsable);
        }
        let ctx = match issuer.verify(&cert, self.current_date) {
            Ok(c) => c,
            Err(e) => return status(StatusWord::from(e.status_hint())),
        };
        // the date update and the trust point change are one step
        if ctx.moves_date() && ctx.effective > self.current_date {
            self.current_date = ctx.effective;
        }
        if link {
            if !self.trust_points.iter().any(|t| t.chr == ctx.chr) {
                self.trust_points.insert(0, ctx.clone());
                self.trust_points.truncate(2);
            }
            self.session.selected = None;
        } else {
            self.session.imported = Some(ctx);
        }
        status(StatusWord::Success)
    }

    fn set_at(&mut self, command: &CommandApdu) -> ResponseApdu {
        // version 1: `83 CHR` only
        let chr = match Self::reference(command) {
            Ok(r) => r,
            Err(sw) => return status(sw),
        };
        match &self.session.imported {
            Some(k) if k.chr == chr && k.role == Role::Terminal => {
                self.session.terminal = Some(k.clone());
                self.session.challenge = None;
                status(StatusWord::Success)
            }
            _ => status(StatusWord::ReferencedDataNotFound),
        }
    }

    fn get_challenge(&mut self, command: &CommandApdu, challenge: [u8; 8]) -> ResponseApdu {
        if command.le != Some(8) || !command.data.is_empty() {
            return status(StatusWord::WrongLength);
        }
        self.session.challenge = Some(challenge);
        ResponseApdu::new(challenge.to_vec(), StatusWord::Success)
    }

    fn external_authenticate(&mut self, command: &CommandApdu, binding: Option<&TaBinding>) -> ResponseApdu {
        let (Some(binding), None) = (binding, self.session.granted) else {
            return status(StatusWord::SecurityStatusNotSatisfied);
        };
        let (Some(terminal), Some(challenge)) = (self.session.terminal.clone(), self.session.challenge.take()) else {
            return status(StatusWord::ConditionsNotSatisfied);
        };
        let message = signature_input(&binding.id_ic, &challenge, &binding.terminal_key_comp);
        let verified = terminal.algorithm.verify(&terminal.public_key, &message, &command.data);
        if verified.is_err() {
            return status(StatusWord::VerificationFailed);
        }
        self.session.granted = Some(terminal.access_bits());
        status(StatusWord::Success)
    }
}
