//! The files to read: paths as given, folders walked, put in one deterministic order.
//!
//! Like the page's folder drop, every file under a folder is read and the core decides from its bytes what it
//! is; nothing is skipped by name. What cannot be listed or opened is a [`Problem`], reported like a file that
//! failed, never a reason to stop.

use std::collections::HashSet;
use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// One thing to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Standard input.
    Stdin,
    /// A file (or anything else that can be opened and read, such as `<(zcat ...)`).
    File(PathBuf),
}

/// The name under which results and notes show standard input.
pub const STDIN_NAME: &str = "(standard input)";

impl Input {
    /// The name results and messages use.
    pub fn name(&self) -> String {
        match self {
            Input::Stdin => STDIN_NAME.to_owned(),
            Input::File(path) => path.display().to_string(),
        }
    }
}

/// A path that could not be read as a file or a folder, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The path as given or found.
    pub name: String,
    /// Why, for a person.
    pub message: String,
}

/// What the paths expand to.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Standard input first, then files in the byte order of their paths.
    pub inputs: Vec<Input>,
    /// Paths that could not be listed or were not found.
    pub problems: Vec<Problem>,
}

/// Expands `paths` (empty means standard input). Files come sorted by their path's bytes, the order the page
/// gives a dropped folder, so the copy of a duplicate event that is kept does not depend on the order of the
/// arguments or of the folder listing; a file reached twice is read once.
pub fn expand(paths: &[OsString]) -> Inputs {
    let mut out = Inputs::default();
    let mut files = Vec::new();
    let mut stdin = paths.is_empty();
    for path in paths {
        if path == "-" {
            stdin = true;
            continue;
        }
        let path = PathBuf::from(path);
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => walk(&path, &mut files, &mut out.problems),
            // Anything else that opens is read: a FIFO or `/dev/fd/N` carries a file as well as a disk does.
            Ok(_) => files.push(path),
            Err(error) => out.problems.push(Problem { name: path.display().to_string(), message: io_message(&error) }),
        }
    }
    files.sort_by(|a, b| a.as_os_str().as_encoded_bytes().cmp(b.as_os_str().as_encoded_bytes()));
    // Keyed by the canonical path, so `dir dir/a.json` or a link to a file already listed reads it once.
    let mut seen = HashSet::new();
    files.retain(|path| seen.insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.clone())));
    if stdin {
        out.inputs.push(Input::Stdin);
    }
    out.inputs.extend(files.into_iter().map(Input::File));
    out
}

/// True when standard input would be read but a person is typing at it: then nothing was piped in, and the
/// command should say how to use it rather than wait.
pub fn stdin_is_a_terminal(inputs: &Inputs) -> bool {
    inputs.inputs.contains(&Input::Stdin) && std::io::stdin().is_terminal()
}

/// Every file under `dir`, following links to files and to folders (a folder already visited is not entered
/// again, so a link loop ends).
fn walk(dir: &Path, files: &mut Vec<PathBuf>, problems: &mut Vec<Problem>) {
    let mut visited = HashSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        if !visited.insert(std::fs::canonicalize(&dir).unwrap_or_else(|_| dir.clone())) {
            continue;
        }
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(error) => {
                problems.push(Problem { name: dir.display().to_string(), message: io_message(&error) });
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    problems.push(Problem { name: dir.display().to_string(), message: io_message(&error) });
                    continue;
                }
            };
            let path = entry.path();
            let is_dir = match entry.file_type() {
                Ok(kind) if kind.is_symlink() => std::fs::metadata(&path).map(|m| m.is_dir()),
                Ok(kind) => Ok(kind.is_dir()),
                Err(error) => Err(error),
            };
            match is_dir {
                Ok(true) => stack.push(path),
                Ok(false) => files.push(path),
                Err(error) => problems.push(Problem { name: path.display().to_string(), message: io_message(&error) }),
            }
        }
    }
}

/// An I/O error as a person would say it; the system's own words follow for the rarer cases.
pub fn io_message(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied (check who may read it)".to_owned(),
        _ => format!("cannot be read: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_path_means_standard_input() {
        assert_eq!(expand(&[]).inputs, vec![Input::Stdin]);
        assert_eq!(expand(&[OsString::from("-")]).inputs, vec![Input::Stdin]);
    }

    #[test]
    fn a_missing_path_is_a_problem_not_a_stop() {
        let got = expand(&[OsString::from("/no/such/trailscope/path"), OsString::from("-")]);
        assert_eq!(got.inputs, vec![Input::Stdin]);
        assert_eq!(
            got.problems,
            vec![Problem { name: "/no/such/trailscope/path".to_owned(), message: "no such file or folder".to_owned() }]
        );
    }
}
