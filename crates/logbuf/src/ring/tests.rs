//! Host tests of the record ring: order, sequence numbers, wrap-around, clear, truncation,
//! cursors, and a property test against a model that places records byte by byte.

extern crate std;

use std::collections::VecDeque;
use std::string::String;
use std::vec::Vec;
use std::{format, vec};

use proptest::prelude::*;

use super::*;

/// The text of record `seq` in the long tests: its number, then a varied filler.
fn text_for(seq: u64) -> String {
    let len = (seq.wrapping_mul(2_654_435_761) >> 7) % 300;
    let filler = ['a', 'é', '€', '𝄞'][(seq % 4) as usize];
    let mut text = format!("{seq}:");
    while text.len() < len as usize {
        text.push(filler);
    }
    text
}

fn texts<const N: usize>(log: &LogBuf<N>) -> Vec<&str> {
    log.iter().map(|r| r.text).collect()
}

#[test]
fn empty() {
    let log = LogBuf::<256>::new();
    assert_eq!((log.first_seq(), log.next_seq(), log.len()), (0, 0, 0));
    assert!(log.is_empty());
    assert_eq!(log.get(0), None);
    assert_eq!(log.iter().next(), None);
    assert_eq!(log.read(&mut Cursor::new(0)), None);
}

#[test]
fn records_keep_order_and_fields() {
    let mut log = LogBuf::<4096>::new();
    assert_eq!(log.push(10, Level::Info, "first\n"), 0);
    assert_eq!(log.push(20, Level::Err, "second"), 1);
    assert_eq!(log.push(30, Level::Debug, ""), 2);

    assert_eq!((log.first_seq(), log.next_seq(), log.len()), (0, 3, 3));
    let all: Vec<Record> = log.iter().collect();
    assert_eq!(
        all,
        vec![
            Record {
                seq: 0,
                ts_ns: 10,
                level: Level::Info,
                text: "first"
            },
            Record {
                seq: 1,
                ts_ns: 20,
                level: Level::Err,
                text: "second"
            },
            Record {
                seq: 2,
                ts_ns: 30,
                level: Level::Debug,
                text: ""
            },
        ]
    );
    assert_eq!(log.get(1), Some(all[1]));
    assert_eq!(log.get(3), None);
    assert_eq!(log.iter().len(), 3);
    assert_eq!((&log).into_iter().count(), 3);
}

#[test]
fn only_one_trailing_newline_is_stripped() {
    let mut log = LogBuf::<256>::new();
    log.push(0, Level::Info, "a\n\n");
    log.push(0, Level::Info, "b\nc");
    log.push(0, Level::Info, "\n");
    assert_eq!(texts(&log), ["a\n", "b\nc", ""]);
}

#[test]
fn long_text_is_cut_at_a_char_boundary() {
    let mut log = LogBuf::<4096>::new();
    let ascii = "x".repeat(1200);
    let euro = "€".repeat(400);
    let clef = format!("ab{}", "𝄞".repeat(300));
    let exact = format!("{}\n", "y".repeat(1000));
    for text in [&ascii, &euro, &clef, &exact] {
        log.push(0, Level::Warning, text);
    }

    let kept = texts(&log);
    assert_eq!(kept[0], &ascii[..1000]);
    assert_eq!(kept[1], &euro[..999]);
    assert_eq!(kept[2], &clef[..998]);
    assert_eq!(kept[3], &exact[..1000]);
}

#[test]
fn tiny_buffer_cuts_text_to_fit() {
    let mut log = LogBuf::<64>::new();
    assert_eq!(LogBuf::<64>::MAX_TEXT, 64 - RECORD_HEADER_LEN);
    log.push(0, Level::Info, &"é".repeat(40));
    assert_eq!(texts(&log), ["é".repeat(22)]);

    // A record of exactly N bytes, then another: the first must go.
    log.push(1, Level::Info, &"z".repeat(45));
    log.push(2, Level::Info, "next");
    assert_eq!(texts(&log), ["next"]);
    assert_eq!(log.dropped(), 2);
}

#[test]
fn wrap_around_drops_the_oldest_and_keeps_the_rest_intact() {
    const N: usize = 4096;
    let mut log = LogBuf::<N>::new();
    for seq in 0..10_000u64 {
        let level = Level::from_u8((seq % 8) as u8).unwrap();
        assert_eq!(log.push(seq * 1000, level, &text_for(seq)), seq);
    }

    assert_eq!(log.next_seq(), 10_000);
    assert_eq!(log.dropped(), log.first_seq());
    let mut bytes = 0;
    for (i, record) in log.iter().enumerate() {
        let seq = log.first_seq() + i as u64;
        assert_eq!(record.seq, seq);
        assert_eq!(record.ts_ns, seq * 1000);
        assert_eq!(record.level.as_u8() as u64, seq % 8);
        assert_eq!(record.text, text_for(seq));
        assert_eq!(log.get(seq), Some(record));
        bytes += RECORD_HEADER_LEN + record.text.len();
    }
    assert_eq!(log.len() as u64, 10_000 - log.first_seq());

    // Nothing was dropped that could have stayed: with the newest dropped record too,
    // the survivors would not fit even with the worst padding at the end (a record
    // here is at most 19 + 302 bytes, so padding is at most 320).
    let newest_dropped = RECORD_HEADER_LEN + text_for(log.first_seq() - 1).len();
    assert!(bytes <= N);
    assert!(bytes + newest_dropped > N - 320);
}

#[test]
fn overwritten_seq_is_gone() {
    let mut log = LogBuf::<256>::new();
    for seq in 0..50 {
        log.push(seq, Level::Info, "twenty bytes of text");
    }
    assert!(log.first_seq() > 0);
    assert_eq!(log.get(0), None);
    assert_eq!(log.get(log.first_seq() - 1), None);
    assert_eq!(
        log.get(log.first_seq()).map(|r| r.seq),
        Some(log.first_seq())
    );
    assert_eq!(log.get(49).map(|r| r.ts_ns), Some(49));
    assert_eq!(log.get(50), None);
    assert_eq!(
        log.iter_from(0).next().map(|r| r.seq),
        Some(log.first_seq())
    );
}

#[test]
fn wrap_mark_and_unmarked_padding() {
    let mut log = LogBuf::<128>::new();
    let text = |len: usize| "m".repeat(len - RECORD_HEADER_LEN);

    // A at 0..50, B at 50..100: 28 bytes are left, so C's wrap is marked.
    log.push(0, Level::Info, &text(50));
    log.push(1, Level::Info, &text(50));
    log.push(2, Level::Info, &text(40));
    assert_eq!(log.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 2]);
    log.push(3, Level::Info, &text(30));
    assert_eq!(log.iter().map(|r| r.seq).collect::<Vec<_>>(), [2, 3]);

    // B at 50..115 leaves 13 bytes, too few for a mark; C goes at 0 and drops A.
    let mut log = LogBuf::<128>::new();
    log.push(0, Level::Info, &text(50));
    log.push(1, Level::Info, &text(65));
    log.push(2, Level::Info, &text(20));
    assert_eq!(log.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(log.get(2).map(|r| r.text.len()), Some(1));
    assert_eq!(log.dropped(), 1);
}

#[test]
fn clear_hides_what_is_stored() {
    let mut log = LogBuf::<4096>::new();
    for seq in 0..3 {
        log.push(seq, Level::Info, "before");
    }
    log.clear();
    assert_eq!((log.first_seq(), log.oldest_seq(), log.len()), (3, 0, 0));
    assert_eq!(log.iter().next(), None);
    assert_eq!(log.get(1).map(|r| r.text), Some("before"));

    log.push(3, Level::Info, "after");
    assert_eq!(texts(&log), ["after"]);
    assert_eq!(log.len(), 1);
    assert_eq!(log.iter_from(0).count(), 4);
    assert_eq!(log.dropped(), 0);
}

#[test]
fn clear_then_overwrite() {
    let mut log = LogBuf::<256>::new();
    log.push(0, Level::Info, "x");
    log.clear();
    for seq in 1..40 {
        log.push(seq, Level::Info, "0123456789");
    }
    assert_eq!(log.first_seq(), log.oldest_seq());
    assert_eq!(log.len() as u64, 40 - log.first_seq());
}

#[test]
fn iter_from_bounds() {
    let mut log = LogBuf::<4096>::new();
    for seq in 0..5 {
        log.push(seq, Level::Info, "r");
    }
    assert_eq!(
        log.iter_from(2).map(|r| r.seq).collect::<Vec<_>>(),
        [2, 3, 4]
    );
    assert_eq!(log.iter_from(4).count(), 1);
    assert_eq!(log.iter_from(5).count(), 0);
    assert_eq!(log.iter_from(u64::MAX).count(), 0);
}

#[test]
fn cursor_follows_the_writer() {
    let mut log = LogBuf::<4096>::new();
    let mut cursor = Cursor::new(0);
    log.push(0, Level::Info, "a");
    log.push(1, Level::Info, "b");
    assert_eq!(log.read(&mut cursor).map(|r| r.text), Some("a"));
    assert_eq!(log.read(&mut cursor).map(|r| r.text), Some("b"));
    assert_eq!(log.read(&mut cursor), None);
    assert_eq!(cursor.seq(), 2);

    log.push(2, Level::Info, "c");
    assert_eq!(log.read(&mut cursor).map(|r| r.text), Some("c"));
}

#[test]
fn cursor_left_behind_skips_to_the_oldest() {
    let mut log = LogBuf::<256>::new();
    let mut cursor = Cursor::new(0);
    log.push(0, Level::Info, "first");
    assert_eq!(log.read(&mut cursor).map(|r| r.seq), Some(0));
    for seq in 1..100 {
        log.push(seq, Level::Info, "twenty bytes of text");
    }
    assert!(cursor.seq() < log.oldest_seq());
    let record = log.read(&mut cursor).unwrap();
    assert_eq!(record.seq, log.oldest_seq());
    assert_eq!(cursor.seq(), record.seq + 1);
}

#[test]
fn kernel_sized_log_in_a_static() {
    static LOG: LogBuf<{ 128 * 1024 }> = LogBuf::new();
    assert_eq!(LOG.capacity(), 131_072);
    assert!(LOG.is_empty());
}

/// What the log should hold, placing records by byte offset the simple way: a record
/// goes at `head`, or at 0 when it would cross the end, and every older record it (or
/// the padding it leaves at the end) overlaps is gone.
struct Model {
    n: usize,
    max_text: usize,
    head: usize,
    /// (seq, ts, level, text, start, size)
    records: VecDeque<(u64, u64, Level, String, usize, usize)>,
    next_seq: u64,
    clear_seq: u64,
    dropped: u64,
}

impl Model {
    fn new(n: usize) -> Self {
        let max_text = MAX_TEXT_LEN.min(n - RECORD_HEADER_LEN);
        let records = VecDeque::new();
        Model {
            n,
            max_text,
            head: 0,
            records,
            next_seq: 0,
            clear_seq: 0,
            dropped: 0,
        }
    }

    fn push(&mut self, ts: u64, level: Level, text: &str) {
        let text = text.strip_suffix('\n').unwrap_or(text);
        let mut kept = String::new();
        for c in text.chars() {
            if kept.len() + c.len_utf8() > self.max_text {
                break;
            }
            kept.push(c);
        }

        let size = RECORD_HEADER_LEN + kept.len();
        let (start, claimed) = if self.head + size <= self.n {
            (self.head, [(self.head, self.head + size), (0, 0)])
        } else {
            (0, [(self.head, self.n), (0, size)])
        };
        let before = self.records.len();
        self.records
            .retain(|r| !claimed.iter().any(|&(a, b)| r.4 < b && a < r.4 + r.5));
        self.dropped += (before - self.records.len()) as u64;

        self.records
            .push_back((self.next_seq, ts, level, kept, start, size));
        self.head = start + size;
        self.next_seq += 1;
    }

    fn oldest(&self) -> u64 {
        self.records.front().map_or(self.next_seq, |r| r.0)
    }
}

#[derive(Clone, Debug)]
enum Op {
    Push(u64, u8, String),
    Clear,
    Read,
}

fn op() -> impl Strategy<Value = Op> {
    // Short texts of any chars, and long ones (up to past MAX_TEXT_LEN) that repeat a few
    // chars, which is much cheaper to generate than a thousand random ones.
    let short = proptest::collection::vec(any::<char>(), 0..40)
        .prop_map(|chars| chars.into_iter().collect::<String>());
    let chars = prop_oneof![Just('é'), Just('\n'), Just('𝄞'), any::<char>()];
    let long = (proptest::collection::vec(chars, 1..4), 0..1100usize)
        .prop_map(|(chars, len)| chars.into_iter().cycle().take(len).collect::<String>());
    let text = prop_oneof![3 => short, 1 => long];
    let push = (any::<u64>(), 0..8u8, text, any::<bool>()).prop_map(|(ts, level, text, nl)| {
        let mut text = text;
        if nl {
            text.push('\n');
        }
        Op::Push(ts, level, text)
    });
    prop_oneof![12 => push, 1 => Just(Op::Clear), 3 => Just(Op::Read)]
}

fn same(record: Record, expected: &(u64, u64, Level, String, usize, usize)) -> bool {
    (record.seq, record.ts_ns, record.level, record.text)
        == (expected.0, expected.1, expected.2, expected.3.as_str())
}

fn run<const N: usize>(ops: &[Op]) -> Result<(), TestCaseError> {
    let mut log = std::boxed::Box::new(LogBuf::<N>::new());
    let mut model = Model::new(N);
    let mut cursor = Cursor::new(0);

    for op in ops {
        match op {
            Op::Push(ts, level, text) => {
                let level = Level::from_u8(*level).unwrap();
                prop_assert_eq!(log.push(*ts, level, text), model.next_seq);
                model.push(*ts, level, text);
            }
            Op::Clear => {
                log.clear();
                model.clear_seq = model.next_seq;
            }
            Op::Read => {
                let want = cursor.seq().max(model.oldest());
                let got = log.read(&mut cursor);
                match model.records.iter().find(|r| r.0 == want) {
                    Some(expected) => prop_assert!(got.is_some_and(|r| same(r, expected))),
                    None => prop_assert!(got.is_none()),
                }
            }
        }

        // The survivors are a run of the newest records, and fit.
        let seqs: Vec<u64> = model.records.iter().map(|r| r.0).collect();
        prop_assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1));
        prop_assert!(model.records.iter().map(|r| r.5).sum::<usize>() <= N);

        prop_assert_eq!(log.next_seq(), model.next_seq);
        prop_assert_eq!(log.oldest_seq(), model.oldest());
        prop_assert_eq!(log.first_seq(), model.oldest().max(model.clear_seq));
        prop_assert_eq!(log.dropped(), model.dropped);
        prop_assert_eq!(log.iter_from(0).count(), model.records.len());
        for (record, expected) in log.iter_from(0).zip(&model.records) {
            prop_assert!(same(record, expected), "{:?} != {:?}", record, expected);
        }

        // get() of the oldest, the newest and one between (all of them would be O(n^2)).
        let count = model.records.len();
        for i in [0, count / 2, count.wrapping_sub(1)]
            .into_iter()
            .filter(|&i| i < count)
        {
            let expected = &model.records[i];
            prop_assert!(log.get(expected.0).is_some_and(|r| same(r, expected)));
        }
        let visible = model.records.iter().filter(|r| r.0 >= model.clear_seq);
        prop_assert_eq!(log.len(), visible.clone().count());
        prop_assert!(log.iter().zip(visible).all(|(r, e)| same(r, e)));
        prop_assert_eq!(log.get(model.next_seq), None);
        if model.oldest() > 0 {
            prop_assert_eq!(log.get(model.oldest() - 1), None);
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn matches_the_model_in_a_small_buffer(ops in proptest::collection::vec(op(), 0..150)) {
        run::<256>(&ops)?;
    }

    #[test]
    fn matches_the_model_with_full_length_records(
        ops in proptest::collection::vec(op(), 0..150),
    ) {
        run::<2100>(&ops)?;
    }
}
