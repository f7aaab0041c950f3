//! Progress bars of transfers: drawn on stdout when it is a terminal, hidden otherwise (a
//! pipe, a file, a test).

use std::sync::atomic::{AtomicU64, Ordering};

use cos_blocking::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar of `total` bytes labelled `what`; `visible` false hides it whatever stdout is.
pub(crate) fn bar(total: u64, what: &str, visible: bool) -> ProgressBar {
    let target = if visible {
        ProgressDrawTarget::stdout()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(total), target).with_message(what.to_owned());
    if let Ok(style) =
        ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// One bar over several transfers running at once: each reports its own bytes, the bar
/// shows their sum.
pub(crate) struct Aggregate {
    bar: ProgressBar,
    loaded: Vec<AtomicU64>,
}

impl Aggregate {
    /// A bar for `count` transfers of `total` bytes in all.
    pub(crate) fn new(count: usize, total: u64, what: &str) -> Aggregate {
        Aggregate {
            bar: bar(total, what, true),
            loaded: (0..count).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// Transfer `i` has moved `p.loaded` bytes.
    pub(crate) fn update(&self, i: usize, p: &Progress) {
        if let Some(slot) = self.loaded.get(i) {
            slot.store(p.loaded, Ordering::Relaxed);
        }
        let sum = self.loaded.iter().map(|l| l.load(Ordering::Relaxed)).sum();
        self.bar.set_position(sum);
    }

    /// Removes the bar.
    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
