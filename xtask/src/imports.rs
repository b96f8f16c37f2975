//! Shorter names for what wasm-bindgen's glue hands a module.
//!
//! wasm-bindgen names each import `<what>_<16 hex digits of a hash>` (`__wbg_set_value_cb7e77c93a95e491`):
//! 185 of them for the page, each in its glue and again in its module's import section. Sixteen random
//! digits are all that gzip cannot shrink, and they were about 4 KB of every first visit. Each becomes
//! `<what>_<n>` in both files. The module's import section is read and written here (no other section
//! changes), and the build fails rather than leave a name the other file does not hold.

use std::collections::{HashMap, HashSet};

/// Renames the hashed imports of `module` (a wasm binary) and the same names in `glue` (its JavaScript).
pub fn shorten(module: &[u8], glue: &str) -> Result<(Vec<u8>, String), String> {
    let mut renamed: HashMap<String, String> = HashMap::new();
    let module = rename_imports(module, |field| {
        let stem = hashed_stem(field)?;
        let short = format!("{stem}_{}", renamed.len());
        renamed.insert(field.to_owned(), short.clone());
        Some(short)
    })?;
    let shorts: HashSet<&str> = renamed.values().map(String::as_str).collect();
    let mut found: HashSet<&str> = HashSet::new();
    let mut clash = None;
    let glue = map_identifiers(glue, |token| {
        if shorts.contains(token) {
            // A name of ours already in the glue would now mean two things.
            clash = Some(token.to_owned());
        }
        let short = renamed.get(token)?;
        found.insert(short);
        Some(short.clone())
    });
    if let Some(token) = clash {
        return Err(format!("the glue already names {token}, a shortened import's name"));
    }
    if let Some((old, _)) = renamed.iter().find(|(_, short)| !found.contains(short.as_str())) {
        return Err(format!("the glue never names the module's import {old}"));
    }
    Ok((module, glue))
}

/// `name` without its `_<16 hex digits>` ending, if it has one.
fn hashed_stem(name: &str) -> Option<&str> {
    let (stem, hash) = name.split_at_checked(name.len().checked_sub(17)?)?;
    let hex = hash.strip_prefix('_')?;
    (!stem.is_empty() && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))).then_some(stem)
}

/// `text` with each JavaScript identifier that `map` answers for replaced.
fn map_identifiers(text: &str, mut map: impl FnMut(&str) -> Option<String>) -> String {
    let is_part = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(is_part) {
        out.push_str(&rest[..start]);
        let len = rest[start..].find(|c: char| !is_part(c)).unwrap_or(rest.len() - start);
        let token = &rest[start..start + len];
        match map(token) {
            Some(new) => out.push_str(&new),
            None => out.push_str(token),
        }
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    out
}

/// `module` with its import section's field names passed through `rename` (`None` keeps a name).
fn rename_imports(module: &[u8], mut rename: impl FnMut(&str) -> Option<String>) -> Result<Vec<u8>, String> {
    let mut r = Reader { bytes: module, at: 0 };
    if r.take(8)? != b"\0asm\x01\0\0\0" {
        return Err("not a wasm module".to_owned());
    }
    let mut out = module[..8].to_vec();
    while r.at < module.len() {
        let id = r.byte()?;
        let len = r.uint()? as usize;
        let body = r.take(len)?;
        let body = if id == 2 { import_section(body, &mut rename)? } else { body.to_vec() };
        out.push(id);
        write_uint(&mut out, body.len() as u64);
        out.extend_from_slice(&body);
    }
    Ok(out)
}

fn import_section(body: &[u8], rename: &mut impl FnMut(&str) -> Option<String>) -> Result<Vec<u8>, String> {
    let mut r = Reader { bytes: body, at: 0 };
    let mut out = Vec::with_capacity(body.len());
    let count = r.uint()?;
    write_uint(&mut out, count);
    for _ in 0..count {
        let module = r.name()?;
        let field = r.name()?;
        let field = rename(field).unwrap_or_else(|| field.to_owned());
        for name in [module, field.as_str()] {
            write_uint(&mut out, name.len() as u64);
            out.extend_from_slice(name.as_bytes());
        }
        // What is imported, copied as it is: only its length is needed.
        let start = r.at;
        match r.byte()? {
            0x00 => drop(r.uint()?),
            0x01 => {
                r.value_type()?;
                r.limits()?;
            }
            0x02 => r.limits()?,
            0x03 => {
                r.value_type()?;
                r.byte()?;
            }
            0x04 => {
                r.byte()?;
                r.uint()?;
            }
            kind => return Err(format!("an import of unknown kind {kind:#x}")),
        }
        out.extend_from_slice(&body[start..r.at]);
    }
    if r.at != body.len() {
        return Err("bytes after the last import".to_owned());
    }
    Ok(out)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let slice = self.bytes.get(self.at..self.at.saturating_add(n)).ok_or("the module ends early")?;
        self.at += n;
        Ok(slice)
    }

    fn byte(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn uint(&mut self) -> Result<u64, String> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(n);
            }
        }
        Err("a number too long".to_owned())
    }

    fn name(&mut self) -> Result<&'a str, String> {
        let len = self.uint()? as usize;
        std::str::from_utf8(self.take(len)?).map_err(|_| "a name that is not UTF-8".to_owned())
    }

    /// A number type, a vector or a reference type: one byte each (wasm-bindgen's modules use no other).
    fn value_type(&mut self) -> Result<(), String> {
        match self.byte()? {
            0x7b..=0x7f | 0x6f | 0x70 => Ok(()),
            other => Err(format!("an unknown value type {other:#x}")),
        }
    }

    fn limits(&mut self) -> Result<(), String> {
        let flags = self.byte()?;
        self.uint()?;
        if flags & 1 == 1 {
            self.uint()?;
        }
        Ok(())
    }
}

fn write_uint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module importing two functions from `./m.js` and a memory, the names as given.
    fn module(names: [&str; 2]) -> Vec<u8> {
        let mut imports = vec![3];
        for name in names {
            imports.extend([6, b'.', b'/', b'm', b'.', b'j', b's', name.len() as u8]);
            imports.extend(name.as_bytes());
            imports.extend([0x00, 0x00]);
        }
        imports.extend([1, b'm', 6, b'm', b'e', b'm', b'o', b'r', b'y', 0x02, 0x01, 0x11, 0x80, 0x01]);
        let mut out = b"\0asm\x01\0\0\0".to_vec();
        out.extend([1, 4, 1, 0x60, 0, 0]); // one type: no parameters, no results
        out.push(2);
        write_uint(&mut out, imports.len() as u64);
        out.extend(imports);
        out.extend([0, 3, 1, b'x', 7]); // a custom section, kept as it is
        out
    }

    #[test]
    fn hashed_names_shrink_alike_in_the_module_and_the_glue() {
        let hashed = ["__wbg_set_value_cb7e77c93a95e491", "__wbindgen_cast_0000000000000001"];
        let glue = format!(
            "const imports = {{ {}: function(a) {{}}, {}: function() {{}}, other_cb7e77c93a95e491x: 1 }};",
            hashed[0], hashed[1]
        );
        let (module_out, glue_out) = shorten(&module(hashed), &glue).expect("renamed");
        assert_eq!(module_out, module(["__wbg_set_value_0", "__wbindgen_cast_1"]));
        assert_eq!(
            glue_out,
            "const imports = { __wbg_set_value_0: function(a) {}, __wbindgen_cast_1: function() {}, \
             other_cb7e77c93a95e491x: 1 };"
        );
    }

    #[test]
    fn a_name_the_glue_lacks_or_already_has_fails_the_build() {
        let hashed = ["__wbg_a_0123456789abcdef", "__wbg_b_0123456789abcdef"];
        let lacking = format!("{{ {}: 1 }}", hashed[0]);
        assert!(shorten(&module(hashed), &lacking).unwrap_err().contains("__wbg_b_0123456789abcdef"));
        let clashing = format!("{{ {}: 1, {}: 2, __wbg_a_0: 3 }}", hashed[0], hashed[1]);
        assert!(shorten(&module(hashed), &clashing).is_err());
        assert!(shorten(b"not wasm", "").is_err());
        assert!(shorten(&module(hashed)[..20], "").is_err());
    }

    #[test]
    fn only_names_ending_in_sixteen_hex_digits_are_hashed() {
        assert_eq!(hashed_stem("__wbg_new_8a6f238a6ece86ea"), Some("__wbg_new"));
        for name in ["__wbindgen_init_externref_table", "_0123456789abcdef", "__wbg_x_0123456789abcdeF", "a_0123"] {
            assert_eq!(hashed_stem(name), None, "{name}");
        }
    }
}
