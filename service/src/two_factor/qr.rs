//! A QR code as an SVG image in a `data:` URI, which the pages show as an
//! `<img>` (the CSP allows `img-src 'self' data:`).

use base64::Engine;
use domain::ErrorKind;
use qrcode::{render::svg, EcLevel, QrCode};

use crate::internal;

/// `text` as a QR code (error correction M), rendered to SVG and wrapped
/// in a base64 `data:image/svg+xml` URI.
pub fn svg_data_uri(text: &str) -> Result<String, ErrorKind> {
    let code =
        QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(internal)?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(image)
    ))
}
