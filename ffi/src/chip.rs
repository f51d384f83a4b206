//! The in-process virtual chip (`cccd::emulator::VirtualChip`), for tests and demos: blank (waiting for
//! personalization) or issued from a chip image folder. Its transmit function has the callback's type, so a
//! C program plugs it in where a printer SDK's encoder would go.

use std::ffi::{c_char, c_int, c_void};

use cccd::apdu::{CommandApdu, ResponseApdu, StatusWord};
use cccd::emulator::{ChipConfig, VirtualChip};
use cccd::transport::Transport;

use crate::args::{clear_out, text};
use crate::{Failure, cccd_error, cccd_status, guard};

/// A virtual chip. Opaque; create with `cccd_virtual_chip_new_blank` or `cccd_virtual_chip_from_image`,
/// free with `cccd_virtual_chip_free` (its private keys are zeroized as they are dropped).
pub struct cccd_virtual_chip {
    chip: VirtualChip,
}

fn boxed(chip: VirtualChip) -> *mut cccd_virtual_chip {
    Box::into_raw(Box::new(cccd_virtual_chip { chip }))
}

/// A blank virtual chip (the open profile of `docs/perso-commands.md`) with the 16-byte AES transport key at
/// `transport_key`; `*chip_out` receives it.
///
/// # Safety
/// `transport_key` points to 16 readable bytes; `chip_out` writable; `err` as the conventions at the top of cccd.h say.
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cccd_virtual_chip_new_blank(
    transport_key: *const u8,
    chip_out: *mut *mut cccd_virtual_chip,
    err: *mut cccd_error,
) -> cccd_status {
    // SAFETY: the contract above.
    unsafe {
        guard(err, || {
            clear_out(chip_out, "chip_out")?;
            let key = crate::args::bytes(transport_key, 16, "transport_key")?;
            let mut k = zeroize::Zeroizing::new([0u8; 16]);
            k.copy_from_slice(key);
            *chip_out = boxed(VirtualChip::blank(*k, ChipConfig::default()));
            Ok(cccd_status::CCCD_OK)
        })
    }
}

/// A virtual chip issued with the chip image folder `image_dir` (as `cccd emulate DIR` serves it); `*chip_out`
/// receives it.
///
/// # Safety
/// `image_dir` NUL-terminated; `chip_out` writable; `err` as the conventions at the top of cccd.h say.
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cccd_virtual_chip_from_image(
    image_dir: *const c_char,
    chip_out: *mut *mut cccd_virtual_chip,
    err: *mut cccd_error,
) -> cccd_status {
    // SAFETY: the contract above.
    unsafe {
        guard(err, || {
            clear_out(chip_out, "chip_out")?;
            let dir = text(image_dir, "image_dir")?;
            let image = cccd::image::ChipImage::load_dir(std::path::Path::new(dir)).map_err(|e| {
                let e = cccd::Error::from(e);
                Failure::new(crate::status_of_kind(cccd::json::ErrorKind::of(&e)), format!("{dir}: {e}"))
            })?;
            *chip_out = boxed(VirtualChip::new(image, ChipConfig::default()));
            Ok(cccd_status::CCCD_OK)
        })
    }
}

/// Frees a virtual chip. NULL is ignored.
///
/// # Safety
/// `chip` is NULL or came from this library and is not used (nor freed) afterwards.
/// Thread-safety: not while another thread uses `chip`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cccd_virtual_chip_free(chip: *mut cccd_virtual_chip) {
    if chip.is_null() {
        return;
    }
    // SAFETY: the contract above; a panic in a destructor must not unwind into C.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(unsafe { Box::from_raw(chip) })));
}

/// The virtual chip `ctx` (a `cccd_virtual_chip *`) answers one command APDU: a `cccd_transmit_fn`, so it can
/// be passed to `cccd_personalize` / `cccd_read` with the chip as `ctx`. A command that is not an APDU is
/// answered `6700`, as a card would. Returns 0, -1 for a NULL argument, `CCCD_TRANSMIT_BUFFER_TOO_SMALL` (-2)
/// when `resp_cap` cannot hold the response, -3 on an internal error.
///
/// # Safety
/// `ctx` is a live `cccd_virtual_chip *`; `apdu` points to `apdu_len` bytes; `resp` to `resp_cap` writable
/// bytes; `resp_len` writable.
/// Thread-safety: one thread at a time per chip.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cccd_virtual_chip_transmit(
    ctx: *mut c_void,
    apdu: *const u8,
    apdu_len: usize,
    resp: *mut u8,
    resp_cap: usize,
    resp_len: *mut usize,
) -> c_int {
    let answered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // SAFETY: the contract above.
        let (Some(chip), false, false, false) =
            (unsafe { ctx.cast::<cccd_virtual_chip>().as_mut() }, apdu.is_null(), resp.is_null(), resp_len.is_null())
        else {
            return -1;
        };
        // SAFETY: the contract above.
        let command = unsafe { std::slice::from_raw_parts(apdu, apdu_len) };
        let response = match CommandApdu::from_bytes(command) {
            Ok(cmd) => match chip.chip.transmit(&cmd) {
                Ok(r) => r.to_bytes(),
                Err(_) => ResponseApdu::status(StatusWord::from(0x6F00)).to_bytes(),
            },
            Err(_) => ResponseApdu::status(StatusWord::from(0x6700)).to_bytes(),
        };
        if response.len() > resp_cap {
            return crate::CCCD_TRANSMIT_BUFFER_TOO_SMALL;
        }
        // SAFETY: `resp` holds `resp_cap >= response.len()` bytes; `resp_len` is writable.
        unsafe {
            std::ptr::copy_nonoverlapping(response.as_ptr(), resp, response.len());
            *resp_len = response.len();
        }
        0
    }));
    answered.unwrap_or(-3)
}
