//! A secure channel: a [`Transport`] whose every command is protected and every response verified.

use core::fmt;

use super::{SecureMessaging, SmError};
use crate::apdu::{CommandApdu, ResponseApdu};
use crate::transport::Transport;

/// A transport with secure messaging on: [`transmit`](SecureChannel::transmit) wraps the command, sends it
/// and unwraps the response. Built by an access protocol (BAC, PACE) once it has authenticated, so that
/// protected APDUs cannot be sent before.
pub struct SecureChannel<T> {
    transport: T,
    sm: SecureMessaging,
}

impl<T> fmt::Debug for SecureChannel<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecureChannel").field("sm", &self.sm).finish_non_exhaustive()
    }
}

impl<T: Transport> SecureChannel<T> {
    /// A channel over `transport` with an established session.
    pub fn new(transport: T, sm: SecureMessaging) -> Self {
        SecureChannel { transport, sm }
    }

    /// Protects `command`, sends it, and verifies and decrypts the response. Any secure messaging error ends
    /// the session on the chip's side too: start a new access protocol after one.
    pub fn transmit(&mut self, command: &CommandApdu) -> Result<ResponseApdu, SmError> {
        let protected = self.sm.wrap(command)?;
        let response = self.transport.transmit(&protected)?;
        self.sm.unwrap(&response)
    }

    /// The session (keys and SSC).
    pub fn session(&self) -> &SecureMessaging {
        &self.sm
    }

    /// Replaces the session, e.g. after Chip Authentication established new keys.
    pub fn set_session(&mut self, sm: SecureMessaging) {
        self.sm = sm;
    }

    /// The transport, to send unprotected commands (which end the session on most chips).
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// The transport, the session dropped (its keys zeroized).
    pub fn into_transport(self) -> T {
        self.transport
    }
}
