//! The per-report fit: every report's section holds at most two pages, one
//! being the aim, in one publication compiled as a whole.
//!
//! Each report's section starts on a page of its own, so one section's
//! type size or bullets never move another's page count: the sections are
//! fitted together, in lockstep. Every round compiles the whole
//! publication once with each section's current [`Config`], reads each
//! section's page count back ([`Measure`]) and moves every unsettled
//! section one step, like the takeaways sheet's compile-measure-refit loop
//! (`takeaways::sheet`):
//!
//! 1. **Shrink.** One page: done. Two pages: done, unless the text barely
//!    spills onto the second page (at most [`ONE_PAGE_SPILL`] of it, or
//!    only the unbreakable "full report" block went over): then the levels
//!    down to [`ONE_PAGE_FLOOR`] are tried for one page (**pull-back**),
//!    and if none gives one page the section stays on two pages at the
//!    level it had. Over two pages: the next fit level
//!    ([`FIT_LEVELS`]), straight to the floor when no level above it can
//!    be enough.
//! 2. **Trim.** Over two pages at the floor: bullets are left out in the
//!    section's fixed drop order (least important first). All of them
//!    left out is tried first: still over two pages means the section
//!    cannot be fitted ([`Outcome::TooLong`]). Otherwise the fewest drops
//!    that fit are found by bisection (dropping never lengthens a
//!    section), the same answer as dropping one at a time.
//!
//! The text is never cut to reach the one-page aim, only to hold the
//! two-page limit.

use crate::takeaways::sheet::{FIT_LEVELS, FitLevel};

/// Most pages a report's section may take.
pub const MAX_PAGES: usize = 2;

/// Smallest fit level (index into [`FIT_LEVELS`]) tried to pull a section
/// that spills a little onto a second page back onto one (9.5 pt).
pub const ONE_PAGE_FLOOR: usize = 2;

/// Largest share of its second page a section's text may fill for the
/// one-page pull-back to be tried.
pub const ONE_PAGE_SPILL: f64 = 0.25;

/// How one section is set: its fit level and how many bullets of its drop
/// order are left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Config {
    /// Index into [`FIT_LEVELS`].
    pub level: usize,
    pub drops: usize,
}

impl Config {
    pub fn fit(&self) -> FitLevel {
        FIT_LEVELS[self.level.min(FIT_LEVELS.len() - 1)]
    }
}

/// What one compile says about one section.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measure {
    pub pages: usize,
    /// How much of its last page the section's text fills (0–1); 0 when
    /// the text ends on an earlier page and only the "full report" block
    /// went over.
    pub spill: f64,
}

/// How a section came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Fits(Config),
    /// Over two pages at the smallest type with every bullet left out.
    TooLong {
        pages: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Shrink,
    PullBack {
        two_pages_at: usize,
    },
    /// Every bullet left out, at the floor: can the section fit at all?
    Verify,
    /// `lo` drops do not fit, `hi` drops do.
    Bisect {
        lo: usize,
        hi: usize,
    },
    Done,
    TooLong(usize),
}

/// The result of [`settle`].
#[derive(Debug, Clone, PartialEq)]
pub struct Settled {
    pub outcomes: Vec<Outcome>,
    /// Whether the last compile was made with exactly the settled configs
    /// (then it is the publication; else the caller compiles once more).
    pub last_is_final: bool,
    /// Compiles made.
    pub compiles: usize,
}

const FLOOR: usize = FIT_LEVELS.len() - 1;

/// Whether a section of `pages` pages at `level` stays over two pages at
/// every level above the floor (text area shrinks at most by the square of
/// the size ratio), so the levels in between need no compile.
fn hopeless_above_floor(pages: usize, level: usize) -> bool {
    let floor = FIT_LEVELS[FLOOR].size_pt;
    let shrink = f64::from(floor / FIT_LEVELS[level].size_pt).powi(2);
    (pages.saturating_sub(1) as f64) * shrink > MAX_PAGES as f64
}

/// Fit every section: `droppable[i]` is how many bullets section `i` can
/// lose; `measure` compiles the publication with one config per section
/// and measures each section.
pub fn settle<E>(
    droppable: &[usize],
    mut measure: impl FnMut(&[Config]) -> Result<Vec<Measure>, E>,
) -> Result<Settled, E> {
    let n = droppable.len();
    let mut configs = vec![Config::default(); n];
    let mut states = vec![State::Shrink; n];
    let mut compiles = 0;
    let mut last: Vec<Config> = Vec::new();
    while states
        .iter()
        .any(|s| !matches!(s, State::Done | State::TooLong(_)))
    {
        let measured = measure(&configs)?;
        compiles += 1;
        last = configs.clone();
        for i in 0..n {
            let m = measured.get(i).copied().unwrap_or(Measure {
                pages: 0,
                spill: 0.0,
            });
            let c = &mut configs[i];
            states[i] = match states[i] {
                State::Shrink if m.pages <= 1 => State::Done,
                State::Shrink if m.pages == MAX_PAGES => {
                    if m.spill <= ONE_PAGE_SPILL && c.level < ONE_PAGE_FLOOR {
                        let two_pages_at = c.level;
                        c.level += 1;
                        State::PullBack { two_pages_at }
                    } else {
                        State::Done
                    }
                }
                State::Shrink if c.level < FLOOR => {
                    c.level = if hopeless_above_floor(m.pages, c.level) {
                        FLOOR
                    } else {
                        c.level + 1
                    };
                    State::Shrink
                }
                State::Shrink => {
                    c.drops = droppable[i];
                    State::Verify
                }
                State::PullBack { .. } if m.pages <= 1 => State::Done,
                State::PullBack { two_pages_at } => {
                    if c.level < ONE_PAGE_FLOOR {
                        c.level += 1;
                        State::PullBack { two_pages_at }
                    } else {
                        c.level = two_pages_at;
                        State::Done
                    }
                }
                State::Verify if m.pages > MAX_PAGES => State::TooLong(m.pages),
                State::Verify => next_bisection(c, 0, droppable[i]),
                State::Bisect { lo, hi } => {
                    if m.pages <= MAX_PAGES {
                        next_bisection(c, lo, c.drops)
                    } else {
                        next_bisection(c, c.drops, hi)
                    }
                }
                s @ (State::Done | State::TooLong(_)) => s,
            };
        }
    }
    let outcomes: Vec<Outcome> = states
        .iter()
        .zip(&configs)
        .map(|(s, c)| match s {
            State::TooLong(pages) => Outcome::TooLong { pages: *pages },
            _ => Outcome::Fits(*c),
        })
        .collect();
    let last_is_final = outcomes
        .iter()
        .zip(&last)
        .all(|(o, l)| matches!(o, Outcome::Fits(c) if c == l))
        && last.len() == n;
    Ok(Settled {
        outcomes,
        last_is_final,
        compiles,
    })
}

/// `lo` drops do not fit, `hi` do: try the middle, or settle on `hi`.
fn next_bisection(c: &mut Config, lo: usize, hi: usize) -> State {
    if hi - lo > 1 {
        c.drops = (lo + hi) / 2;
        State::Bisect { lo, hi }
    } else {
        c.drops = hi;
        State::Done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A section of `words` words: pages from the text area each level
    /// gives, one word per bullet dropped less of them (`per_drop`).
    fn model(words: f64, per_drop: f64, c: &Config) -> Measure {
        let size = f64::from(c.fit().size_pt);
        let page_words = 500.0 * (10.5 / size).powi(2);
        let text = (words - per_drop * c.drops as f64).max(0.0);
        let pages = text / page_words;
        Measure {
            pages: pages.ceil().max(1.0) as usize,
            spill: pages - pages.floor(),
        }
    }

    fn run(sections: &[(f64, f64, usize)]) -> Settled {
        let droppable: Vec<usize> = sections.iter().map(|s| s.2).collect();
        settle::<()>(&droppable, |cs| {
            Ok(cs
                .iter()
                .zip(sections)
                .map(|(c, s)| model(s.0, s.1, c))
                .collect())
        })
        .unwrap()
    }

    #[test]
    fn one_page_stays_at_the_largest_type() {
        let s = run(&[(300.0, 30.0, 5)]);
        assert_eq!(s.outcomes, [Outcome::Fits(Config::default())]);
        assert_eq!(s.compiles, 1);
        assert!(s.last_is_final);
    }

    #[test]
    fn a_small_spill_is_pulled_back_onto_one_page() {
        // 540 words: 1.08 pages at 10.5 pt, under one page at 10 pt.
        let s = run(&[(540.0, 30.0, 5)]);
        assert_eq!(s.outcomes, [Outcome::Fits(Config { level: 1, drops: 0 })]);
        assert!(s.last_is_final);
    }

    #[test]
    fn a_real_second_page_is_kept_at_the_largest_type() {
        // 800 words: 1.6 pages; no pull-back, no drops.
        let s = run(&[(800.0, 30.0, 5)]);
        assert_eq!(s.outcomes, [Outcome::Fits(Config::default())]);
        assert_eq!(s.compiles, 1);
    }

    #[test]
    fn a_pull_back_that_fails_returns_to_the_two_page_level() {
        // 620 words: 1.24 pages at 10.5 pt, still 1.02 at 9.5 pt.
        let s = run(&[(620.0, 30.0, 5)]);
        assert_eq!(s.outcomes, [Outcome::Fits(Config::default())]);
        assert!(!s.last_is_final, "the last compile tried 9.5 pt");
    }

    #[test]
    fn over_two_pages_shrinks_then_drops_the_fewest_bullets() {
        // 1100 words: 2.2 pages at 10.5 pt, two pages at 10 pt: a
        // smaller type, no drops.
        let s = run(&[(1100.0, 50.0, 10)]);
        let Outcome::Fits(c) = s.outcomes[0] else {
            panic!()
        };
        assert_eq!(c.drops, 0);
        assert!(model(1100.0, 50.0, &c).pages <= 2);
        // 1700 words need drops at the floor: the fewest that fit.
        let s = run(&[(1700.0, 50.0, 10)]);
        let Outcome::Fits(c) = s.outcomes[0] else {
            panic!()
        };
        assert_eq!(c.level, FLOOR);
        assert!(model(1700.0, 50.0, &c).pages <= 2);
        let one_less = Config {
            drops: c.drops - 1,
            ..c
        };
        assert!(model(1700.0, 50.0, &one_less).pages > 2);
    }

    #[test]
    fn hopeless_sections_are_too_long_and_others_settle_alongside() {
        let s = run(&[(5000.0, 10.0, 3), (300.0, 10.0, 3), (1700.0, 50.0, 10)]);
        assert!(matches!(s.outcomes[0], Outcome::TooLong { pages } if pages > 2));
        assert_eq!(s.outcomes[1], Outcome::Fits(Config::default()));
        assert!(matches!(s.outcomes[2], Outcome::Fits(c) if c.drops > 0));
    }
}
