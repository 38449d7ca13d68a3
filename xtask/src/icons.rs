//! The app's icons (`static/icons/`, listed in `static/manifest.webmanifest`):
//! white letters "ICD" on a rounded square in the accent colour of
//! `static/app.css`. One geometry, drawn as SVG and rasterized to PNG (4×4
//! samples per pixel), so the files never drift apart. `cargo xtask icons`
//! rewrites them; they are committed, so a build needs nothing of this.

use std::io::Write as _;
use std::path::Path;

use anyhow::Result;

/// The accent colour of `static/app.css` (`#0b5cad`).
const ACCENT: [u8; 3] = [0x0b, 0x5c, 0xad];
/// Corner radius of the square, in the 512-unit design grid.
const CORNER: f64 = 96.0;
/// The letters: cap height from y = 166 to 346 (centred), strokes 36 wide.
const TOP: f64 = 166.0;
const BOTTOM: f64 = 346.0;
const STROKE: f64 = 36.0;
/// I: a bar at x = 66..102. C: a ring centred at (222, 256), open to the
/// right over 90°. D: a bar from x = 316, a half ring centred at (356, 256).
const I_LEFT: f64 = 66.0;
const C_CENTRE: f64 = 222.0;
const D_LEFT: f64 = 316.0;
const D_CENTRE: f64 = 356.0;
const RADIUS: f64 = (BOTTOM - TOP) / 2.0;

const SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">
  <title>ICD Desk</title>
  <rect width="512" height="512" rx="96" fill="#0b5cad"/>
  <rect x="66" y="166" width="36" height="180" fill="#fff"/>
  <path d="M272.91 205.09A72 72 0 1 0 272.91 306.91" fill="none" stroke="#fff" stroke-width="36"/>
  <path d="M334 184H356A72 72 0 0 1 356 328H334Z" fill="none" stroke="#fff" stroke-width="36"/>
</svg>
"##;

fn in_square(x: f64, y: f64) -> bool {
    let inner = 256.0 - CORNER;
    let dx = ((x - 256.0).abs() - inner).max(0.0);
    let dy = ((y - 256.0).abs() - inner).max(0.0);
    (0.0..=512.0).contains(&x) && (0.0..=512.0).contains(&y) && dx * dx + dy * dy <= CORNER * CORNER
}

fn in_letters(x: f64, y: f64) -> bool {
    let dy = y - 256.0;
    let ring = |cx: f64| {
        let d = (x - cx).hypot(dy);
        (RADIUS - STROKE..=RADIUS).contains(&d)
    };
    let i = (I_LEFT..=I_LEFT + STROKE).contains(&x) && (TOP..=BOTTOM).contains(&y);
    // The C's opening: 45° either side of the rightward direction.
    let c = ring(C_CENTRE) && !(x > C_CENTRE && dy.abs() < x - C_CENTRE);
    let d_bar = (D_LEFT..=D_CENTRE).contains(&x)
        && (TOP..=BOTTOM).contains(&y)
        && !(x >= D_LEFT + STROKE && (TOP + STROKE..=BOTTOM - STROKE).contains(&y));
    let d = d_bar || (x >= D_CENTRE && ring(D_CENTRE));
    i || c || d
}

/// RGBA pixels of a `size`×`size` icon.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // values are 0..=255
fn raster(size: u32) -> Vec<u8> {
    const SAMPLES: u32 = 4;
    let scale = 512.0 / f64::from(size * SAMPLES);
    let mut pixels = Vec::with_capacity((size * size * 4) as usize);
    for py in 0..size {
        for px in 0..size {
            let (mut square, mut white) = (0u32, 0u32);
            for sy in 0..SAMPLES {
                for sx in 0..SAMPLES {
                    let x = (f64::from(px * SAMPLES + sx) + 0.5) * scale;
                    let y = (f64::from(py * SAMPLES + sy) + 0.5) * scale;
                    if in_square(x, y) {
                        square += 1;
                        white += u32::from(in_letters(x, y));
                    }
                }
            }
            let n = SAMPLES * SAMPLES;
            // Straight (not premultiplied) alpha: the colour of the covered part.
            let blend = |c: u8| -> u8 {
                if square == 0 {
                    return 0;
                }
                let c = u32::from(c) * (square - white) + 255 * white;
                (c / square) as u8
            };
            pixels.extend([
                blend(ACCENT[0]),
                blend(ACCENT[1]),
                blend(ACCENT[2]),
                (255 * square / n) as u8,
            ]);
        }
    }
    pixels
}

fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) -> Result<()> {
    png.extend(u32::try_from(data.len())?.to_be_bytes());
    let start = png.len();
    png.extend(kind);
    png.extend(data);
    let crc = crc32fast::hash(&png[start..]);
    png.extend(crc.to_be_bytes());
    Ok(())
}

fn png(size: u32) -> Result<Vec<u8>> {
    let pixels = raster(size);
    let mut rows = Vec::with_capacity(pixels.len() + size as usize);
    for row in pixels.chunks(size as usize * 4) {
        rows.push(0); // filter: none
        rows.extend(row);
    }
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    zlib.write_all(&rows)?;
    let mut header = Vec::with_capacity(13);
    header.extend(size.to_be_bytes());
    header.extend(size.to_be_bytes());
    header.extend([8, 6, 0, 0, 0]); // 8 bits, RGBA, deflate, no filter choice, not interlaced
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &header)?;
    chunk(&mut png, b"IDAT", &zlib.finish()?)?;
    chunk(&mut png, b"IEND", &[])?;
    Ok(png)
}

/// Writes `icon-192.png`, `icon-512.png` and `icon.svg` into `dir`.
pub fn write(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    for size in [192, 512] {
        std::fs::write(dir.join(format!("icon-{size}.png")), png(size)?)?;
    }
    std::fs::write(dir.join("icon.svg"), SVG)?;
    eprintln!("wrote {dir:?}: icon-192.png, icon-512.png, icon.svg");
    Ok(())
}
