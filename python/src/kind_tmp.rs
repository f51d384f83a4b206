//! TEMPORARY copy of cccd::json::ErrorKind until the ffi branch lands (deleted on merge).
use cccd::Error;

/// Who is at fault for an error, as the JSON `error.kind` names it (and the exit code classes of the CLI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A file could not be read or written (`"io"`).
    Io,
    /// The caller's input was refused: a malformed record, file, image, key or trust material (`"input"`).
    Input,
    /// The chip refused access: a wrong CAN or MRZ, a blocked password, a wrong transport key
    /// (`"access_refused"`).
    AccessRefused,
    /// The card was removed (`"card_removed"`).
    CardRemoved,
    /// No card, no such reader, or PC/SC itself failed (`"no_card"`).
    NoCard,
    /// The chip (or the transport in front of it) answered with an error: a status word, a broken secure
    /// messaging response, a malformed file or response (`"chip_error"`).
    Chip,
}

impl ErrorKind {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Io => "io",
            ErrorKind::Input => "input",
            ErrorKind::AccessRefused => "access_refused",
            ErrorKind::CardRemoved => "card_removed",
            ErrorKind::NoCard => "no_card",
            ErrorKind::Chip => "chip_error",
        }
    }

    /// The kind of a library error.
    pub fn of(e: &Error) -> ErrorKind {
        use cccd::perso::PersoError;
        use cccd::reader::ReadError;
        use cccd::transport::TransportError;
        let transport = |t: &TransportError| match t {
            TransportError::CardRemoved => ErrorKind::CardRemoved,
            TransportError::NoCard | TransportError::ReaderUnavailable | TransportError::Pcsc(_) => ErrorKind::NoCard,
            _ => ErrorKind::Chip,
        };
        match e {
            Error::Transport(t) => transport(t),
            Error::Access(_) => ErrorKind::AccessRefused,
            Error::Apdu(_) | Error::Sm(_) | Error::Vpcd(_) => ErrorKind::Chip,
            Error::Image(cccd::image::ImageError::Io { .. }) => ErrorKind::Io,
            Error::Read(r) => match r.as_ref() {
                ReadError::Transport(t) => transport(t),
                ReadError::Access(_) => ErrorKind::AccessRefused,
                _ => ErrorKind::Chip,
            },
            Error::Perso(p) => match p.as_ref() {
                PersoError::Transport(t) => transport(t),
                PersoError::WrongTransportKey { .. } | PersoError::Blocked => ErrorKind::AccessRefused,
                PersoError::IncompleteImage(_) | PersoError::Unsupported { .. } => ErrorKind::Input,
                _ => ErrorKind::Chip,
            },
            _ => ErrorKind::Input,
        }
    }
}
