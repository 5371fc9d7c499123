//! Command-line arguments: flags and `--name value` options taken out of the
//! argument list one by one, whatever is left over being an error, and the
//! hex of `--ticket-key`.

use crate::Res;

pub struct Args {
    pub rest: Vec<String>,
}

impl Args {
    pub fn flag(&mut self, name: &str) -> bool {
        if let Some(i) = self.rest.iter().position(|a| a == name) {
            self.rest.remove(i);
            true
        } else {
            false
        }
    }

    pub fn opt(&mut self, name: &str) -> Res<Option<String>> {
        match self.rest.iter().position(|a| a == name) {
            None => Ok(None),
            Some(i) if i + 1 < self.rest.len() => {
                let v = self.rest.remove(i + 1);
                self.rest.remove(i);
                Ok(Some(v))
            }
            Some(_) => Err(format!("{name} needs a value")),
        }
    }

    pub fn num<T: std::str::FromStr>(&mut self, name: &str, default: T) -> Res<T> {
        match self.opt(name)? {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| format!("{name}: bad number {v:?}")),
        }
    }

    pub fn req(&mut self, name: &str) -> Res<String> {
        self.opt(name)?.ok_or_else(|| format!("missing {name}"))
    }

    pub fn done(self) -> Res<()> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(format!("unknown arguments: {:?}", self.rest))
        }
    }
}

pub fn parse_hex(s: &str) -> Res<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return Err("--ticket-key: not an even-length hex string".into());
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|_| "--ticket-key: bad hex".into()))
        .collect()
}
