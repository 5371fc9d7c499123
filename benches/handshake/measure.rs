//! One scenario measured: bare rustls and rs2n pairs interleaved (A B, B A,
//! ...), every handshake checked for its version and resumption, and the
//! medians, p90s and ratios gathered into a `Row`.

use std::time::Instant;

use crate::bare::Bare;
use crate::fixtures::Material;
use crate::rs2n_side::Rs2n;
use crate::scenarios::{Resume, Scenario};
use crate::stats::{median, percentile};

pub struct Row {
    pub name: &'static str,
    pub bare: f64,
    pub rs2n: f64,
    pub bare_p90: f64,
    pub rs2n_p90: f64,
    /// Median over rounds of the per-round ratio (B/A of adjacent samples).
    pub paired_ratio: f64,
}

pub fn run_scenario(sc: &Scenario, m: &Material, iters: usize) -> Row {
    let bare = Bare::new(sc, m);
    let mut rs = Rs2n::new(sc, m);
    let want_resumed = sc.resume != Resume::None;
    let s2n_version = if sc.version == rustls::ProtocolVersion::TLSv1_3 {
        34
    } else {
        33
    };

    // Prime the resumption state: the first pair of each is a full handshake.
    let (r, v, _) = bare.pair();
    assert!(!r && v == sc.version, "{}: bare priming pair", sc.name);
    let (r, v2) = rs.pair();
    assert!(!r && v2 == s2n_version, "{}: rs2n priming pair", sc.name);

    let one_bare = |bare: &Bare| {
        let t = Instant::now();
        let (resumed, v, _) = bare.pair();
        let dt = t.elapsed().as_secs_f64() * 1e6;
        assert_eq!(v, sc.version, "{}: bare rustls version", sc.name);
        assert_eq!(resumed, want_resumed, "{}: bare rustls resumption", sc.name);
        dt
    };
    let one_rs = |rs: &mut Rs2n| {
        let t = Instant::now();
        let (resumed, v) = rs.pair();
        let dt = t.elapsed().as_secs_f64() * 1e6;
        assert_eq!(v, s2n_version, "{}: rs2n version", sc.name);
        assert_eq!(resumed, want_resumed, "{}: rs2n resumption", sc.name);
        dt
    };

    let warmup = (iters / 10).clamp(5, 50);
    for _ in 0..warmup {
        one_bare(&bare);
        one_rs(&mut rs);
    }
    let mut a = Vec::with_capacity(iters);
    let mut b = Vec::with_capacity(iters);
    let mut ratios = Vec::with_capacity(iters);
    for i in 0..iters {
        let (ta, tb) = if i % 2 == 0 {
            let ta = one_bare(&bare);
            (ta, one_rs(&mut rs))
        } else {
            let tb = one_rs(&mut rs);
            (one_bare(&bare), tb)
        };
        a.push(ta);
        b.push(tb);
        ratios.push(tb / ta);
    }
    let ma = median(&mut a);
    let mb = median(&mut b);
    Row {
        name: sc.name,
        bare: ma,
        rs2n: mb,
        bare_p90: percentile(&a, 0.9),
        rs2n_p90: percentile(&b, 0.9),
        paired_ratio: median(&mut ratios),
    }
}
