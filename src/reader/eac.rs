//! Terminal Authentication in the reader: after Chip Authentication, EF.CVCA, then TA with the inspection
//! system's chain and key, then the data groups it opens (DG3, DG4). Without a chain, DG3/DG4 are reported as
//! protected by EAC, never as an error.

use super::{ReadError, Reader};
use crate::access::chip_auth::ChipAuthenticationKeys;
use crate::access::ta::{IdIc, TaError, TerminalCredentials, comp, terminal_authenticate};
use crate::apdu::{StatusWord, commands};
use crate::cvc::ChainError;
use crate::cvc::{CvcDate, EF_CVCA_FID, EfCvca};
use crate::lds::LdsFile;
use crate::pa::{Check, Reason, TerminalRefusal};
use crate::sm::{SecureChannel, SmError};
use crate::transport::Transport;

impl Reader {
    /// Runs Terminal Authentication with this inspection system's chain and key (after Chip Authentication),
    /// then reads the data groups it opens.
    pub fn with_terminal(mut self, terminal: TerminalCredentials) -> Self {
        self.terminal = Some(terminal);
        self
    }

    /// EF.CVCA (selected by FID in the eMRTD application, read in one go: it is 36 bytes).
    fn ef_cvca<T: Transport>(ch: &mut SecureChannel<&mut T>) -> Result<Option<EfCvca>, ReadError> {
        let select = commands::select_ef(EF_CVCA_FID);
        if ch.transmit(&select)?.sw != StatusWord::Success {
            return Ok(None);
        }
        let r = ch.transmit(&commands::read_binary_at(0, 256))?;
        if !matches!(r.sw, StatusWord::Success | StatusWord::EndOfFileReached) {
            return Ok(None);
        }
        Ok(EfCvca::decode(&r.data).ok())
    }

    /// `ID_IC`: after PACE, Comp of the chip's ephemeral key; after BAC, the document number of DG1.
    fn id_ic(&self) -> Option<IdIc> {
        if let Some(k) = &self.pace_chip_key {
            return Some(IdIc::from_pace(k));
        }
        let dg1 = crate::lds::dg1::Dg1::decode(self.done.get(&LdsFile::dg(1)?)?).ok()?;
        IdIc::from_bac(dg1.mrz().document_number().get(..9)?).ok()
    }

    /// Terminal Authentication and the reads it opens; the verdict.
    pub(super) fn terminal_authentication<T: Transport>(
        &mut self,
        ch: &mut SecureChannel<&mut T>,
        ca: Option<&ChipAuthenticationKeys>,
    ) -> Result<Check, ReadError> {
        let protected: Vec<LdsFile> =
            self.protected.iter().copied().filter(|f| matches!(f.dg_number(), Some(3 | 4))).collect();
        let Some(terminal) = self.terminal.clone() else {
            return Ok(Check::NotChecked(if protected.is_empty() {
                Reason::NotRun { why: "no inspection-system chain given" }
            } else {
                Reason::NotRun { why: "no inspection-system chain given: DG3/DG4 are protected by EAC" }
            }));
        };
        let Some(ca) = ca else {
            return Ok(Check::NotChecked(Reason::NotRun {
                why: "Terminal Authentication needs Chip Authentication first",
            }));
        };
        let Some(id_ic) = self.id_ic() else {
            return Ok(Check::NotChecked(Reason::NotRun { why: "no ID_IC (neither PACE nor a readable DG1)" }));
        };
        let Some(ef_cvca) = Self::ef_cvca(ch)? else {
            return Ok(Check::NotChecked(Reason::NotRun {
                why: "the chip has no EF.CVCA: it offers no Terminal Authentication",
            }));
        };
        let today = CvcDate::new(time::OffsetDateTime::now_utc().date())
            .map_err(|_| ReadError::Access(crate::access::Unsupported::DateOutOfRange.into()))?;
        let outcome =
            match terminal_authenticate(ch, &terminal, &ef_cvca.cars, &id_ic, &comp(&ca.terminal_ephemeral_key), today)
            {
                Ok(o) => o,
                Err(TaError::Sm(SmError::Transport(t))) => return Err(ReadError::Transport(t)),
                Err(e) => return Ok(Check::Failed(refused(&e))),
            };
        // every protected data group is asked for: the chip, not the terminal's reading of its chain, decides
        let mut denied = Vec::new();
        for file in protected {
            match self.read_file(ch, file) {
                Ok(()) => self.protected.retain(|f| *f != file),
                Err(ReadError::Status { sw: StatusWord::SecurityStatusNotSatisfied, .. }) => denied.push(file),
                Err(e) => return Err(e),
            }
        }
        if denied.is_empty() {
            return Ok(Check::Passed);
        }
        let names: Vec<String> = denied.iter().map(|f| f.name()).collect();
        let expected =
            denied.iter().any(|f| if f.dg_number() == Some(3) { outcome.reads_dg3() } else { outcome.reads_dg4() });
        Ok(Check::Failed(Reason::TerminalRefused {
            refusal: TerminalRefusal::NotGranted,
            status: Some(StatusWord::SecurityStatusNotSatisfied),
            detail: format!(
                "the chip accepted inspection system {} but refused {} ({}): {}",
                outcome.terminal,
                names.join(", "),
                StatusWord::SecurityStatusNotSatisfied,
                if expected {
                    "the chip's effective authorization lacks the read right"
                } else {
                    "the chain grants no read right for it"
                }
            ),
        }))
    }
}

/// The reader's typed reason for a refused Terminal Authentication.
fn refused(e: &TaError) -> Reason {
    let (refusal, status) = match e {
        TaError::UnknownTrustPoint { status, .. } => (TerminalRefusal::UnknownTrustPoint, *status),
        TaError::CertificateRefused { status, reason, .. } => (
            match reason {
                Some(ChainError::Expired { .. }) => TerminalRefusal::CertificateExpired,
                Some(ChainError::BadSignature { .. }) => TerminalRefusal::CertificateSignature,
                _ => TerminalRefusal::CertificateRefused,
            },
            *status,
        ),
        TaError::KeyRefused { status, .. } => (TerminalRefusal::KeyRefused, *status),
        TaError::SignatureRejected(sw) => (TerminalRefusal::SignatureRejected, *sw),
        TaError::NotAllowed(sw) => (TerminalRefusal::NotAllowed, *sw),
        TaError::Challenge { status, .. } => (TerminalRefusal::Other, *status),
        TaError::Refused(sw) => (TerminalRefusal::Other, *sw),
        _ => return Reason::TerminalRefused { refusal: TerminalRefusal::Other, status: None, detail: e.to_string() },
    };
    Reason::TerminalRefused { refusal, status: Some(status), detail: e.to_string() }
}
