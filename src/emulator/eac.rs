//! Terminal Authentication in the virtual chip: the [`TaChip`] state machine bound to the session (ID_IC from
//! BAC or PACE, the terminal's ephemeral key from Chip Authentication), EF.CVCA served in the eMRTD
//! application, and DG3/DG4 opened only by a successful TA with the right bits.

use super::{Access, VirtualChip};
use crate::access::ta::{IdIc, TaBinding, TaChip, comp};
use crate::apdu::{CommandApdu, ResponseApdu};

/// The chip's EAC state: the TA state machine and what binds it to the open session.
#[derive(Debug, Default)]
pub(super) struct Eac {
    pub(super) ta: Option<TaChip>,
    /// `ID_IC` of the open session (BAC: document number and check digit; PACE: Comp of the chip's key).
    pub(super) id_ic: Option<IdIc>,
    /// Set by Chip Authentication in this session.
    pub(super) binding: Option<TaBinding>,
    /// EF.CVCA as served (rewritten after every TA command: a link certificate changes it).
    pub(super) ef_cvca: Vec<u8>,
}

impl VirtualChip {
    /// The chip runs Terminal Authentication with `ta` (its trust points and current date), serves EF.CVCA and
    /// opens DG3/DG4 to terminals that pass it.
    pub fn with_terminal_authentication(mut self, ta: TaChip) -> Self {
        self.eac.ef_cvca = ta.ef_cvca().unwrap_or_default();
        self.eac.ta = Some(ta);
        self
    }

    /// Terminal Authentication as the image's EAC trust says (trust points and current date), when it has
    /// them: the chip then serves EF.CVCA and opens DG3/DG4 only after TA. An image without them leaves the
    /// state as it is (a chip given [`VirtualChip::with_terminal_authentication`] keeps it).
    pub(super) fn eac_from_image(&mut self) {
        let Some(trust) = &self.image.eac else { return };
        let mut points = trust.trust_points().iter();
        let Some(first) = points.next() else { return };
        let Ok(mut ta) = TaChip::new(first, trust.current_date) else { return };
        if points.try_for_each(|p| ta.add_previous_trust_point(p)).is_err() {
            return;
        }
        self.eac.ef_cvca = ta.ef_cvca().unwrap_or_default();
        self.eac.ta = Some(ta);
    }

    /// The TA state (trust points, current date), when the chip runs TA.
    pub fn terminal_authentication(&self) -> Option<&TaChip> {
        self.eac.ta.as_ref()
    }

    /// A new access-control session opened (or none): TA's session state is forgotten.
    pub(super) fn eac_session(&mut self, id_ic: Option<IdIc>) {
        if let Some(ta) = &mut self.eac.ta {
            ta.end_session();
        }
        self.eac.id_ic = id_ic;
        self.eac.binding = None;
    }

    /// Chip Authentication succeeded with the terminal's ephemeral public key.
    pub(super) fn eac_chip_authenticated(&mut self, terminal_ephemeral: &[u8]) {
        if let Some(id_ic) = self.eac.id_ic.clone() {
            self.eac.binding = Some(TaBinding { id_ic, terminal_key_comp: comp(terminal_ephemeral) });
        }
    }

    /// A TA command under secure messaging, when the chip runs TA.
    pub(super) fn eac_command(&mut self, c: &CommandApdu) -> Option<ResponseApdu> {
        let ta = self.eac.ta.as_mut()?;
        if !ta.handles(c) || !matches!(self.access, Access::Secure(_)) {
            return None;
        }
        let mut challenge = [0u8; 8];
        rand::fill(&mut challenge);
        let r = ta.process(c, self.eac.binding.as_ref(), challenge);
        self.eac.ef_cvca = ta.ef_cvca().unwrap_or_default();
        Some(r)
    }

    /// Whether DG3/DG4 (`dg`) may be read in this session.
    pub(super) fn eac_may_read(&self, dg: u8) -> bool {
        self.eac.ta.as_ref().is_some_and(|ta| ta.may_read(dg))
    }
}
