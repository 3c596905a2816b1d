//! Tests of the pending set against a model that keeps every instance sent.

use proptest::prelude::*;

use super::*;

fn queued(sig: u64, value: u64) -> SigInfo {
    SigInfo {
        signo: sig as u32,
        code: g::SI_QUEUE,
        fields: SigFields::Queue {
            pid: 1,
            uid: 0,
            value,
        },
    }
}

#[test]
fn standard_signals_merge_and_keep_the_first_siginfo() {
    let mut p = Pending::new();
    p.queue(10, SigInfo::from_process(10, 0, 5, 0), true)
        .unwrap();
    p.queue(10, SigInfo::from_process(10, 0, 6, 0), true)
        .unwrap();
    assert_eq!(p.queued(), 1);
    let (sig, info) = p.take(!0).unwrap();
    assert_eq!((sig, info.fields), (10, SigFields::Kill { pid: 5, uid: 0 }));
    assert_eq!(p.take(!0), None);
}

#[test]
fn realtime_signals_queue_each_instance_in_order_lowest_signal_first() {
    let mut p = Pending::new();
    for (sig, value) in [(40, 1), (35, 2), (40, 3), (35, 4)] {
        p.queue(sig, queued(sig, value), true).unwrap();
    }
    p.queue(2, SigInfo::kernel(2), true).unwrap();
    assert_eq!(p.queued(), 5);
    let order: Vec<(u64, SigFields)> = core::iter::from_fn(|| p.take(!0))
        .map(|(s, i)| (s, i.fields))
        .collect();
    let value = |v| SigFields::Queue {
        pid: 1,
        uid: 0,
        value: v,
    };
    assert_eq!(
        order,
        [
            (2, SigFields::None),
            (35, value(2)),
            (35, value(4)),
            (40, value(1)),
            (40, value(3))
        ]
    );
    assert_eq!((p.mask(), p.queued()), (0, 0));
}

#[test]
fn without_room_sigqueue_fails_and_kill_loses_only_the_siginfo() {
    let mut p = Pending::new();
    assert_eq!(p.queue(40, queued(40, 1), false), Err(QueueFull));
    assert_eq!(p.mask(), 0);
    p.queue(40, SigInfo::from_process(40, 0, 9, 1000), false)
        .unwrap();
    assert_eq!((p.mask(), p.queued()), (bit(40), 0));
    let (_, info) = p.take(bit(40)).unwrap();
    assert_eq!(info.code, g::SI_USER as i32);
    assert_eq!(info.fields, SigFields::Kill { pid: 0, uid: 0 });
}

#[test]
fn discard_forgets_every_instance_and_wanted_filters() {
    let mut p = Pending::new();
    p.queue(40, queued(40, 1), true).unwrap();
    p.queue(40, queued(40, 2), true).unwrap();
    p.queue(41, queued(41, 3), true).unwrap();
    assert_eq!(p.take(bit(10)), None);
    p.discard(bit(40));
    assert_eq!(p.queued(), 1);
    assert_eq!(p.take(!0).map(|(s, _)| s), Some(41));
    // SIGKILL is pending without a queue entry.
    p.queue(9, SigInfo::kernel(9), true).unwrap();
    assert_eq!(p.queued(), 0);
}

#[derive(Clone, Debug)]
enum Op {
    Send(u64, u64),
    Take(u64),
    Discard(u64),
}

fn op() -> impl Strategy<Value = Op> {
    let sig = prop_oneof![1u64..=4, 32u64..=36, 60u64..=64];
    let mask = prop_oneof![Just(!0u64), any::<u64>()];
    prop_oneof![
        3 => (sig, any::<u64>()).prop_map(|(s, v)| Op::Send(s, v)),
        2 => mask.clone().prop_map(Op::Take),
        1 => mask.prop_map(Op::Discard),
    ]
}

proptest! {
    /// Against a model keeping every instance sent, in order: a standard
    /// signal is one instance with the first value, a real-time one every
    /// instance; each take is the lowest wanted signal's oldest instance.
    #[test]
    fn behaves_like_a_list_of_instances(ops in proptest::collection::vec(op(), 1..80)) {
        let mut p = Pending::new();
        let mut model: Vec<(u64, u64)> = Vec::new();
        for op in ops {
            match op {
                Op::Send(sig, v) => {
                    p.queue(sig, queued(sig, v), true).unwrap();
                    if sig >= SIGRTMIN || !model.iter().any(|&(s, _)| s == sig) {
                        model.push((sig, v));
                    }
                }
                Op::Take(wanted) => {
                    let lowest = model.iter().map(|&(s, _)| s).filter(|&s| wanted & bit(s) != 0).min();
                    let expected = lowest.map(|s| {
                        let at = model.iter().position(|&(m, _)| m == s).unwrap();
                        model.remove(at)
                    });
                    let got = p.take(wanted).map(|(s, i)| match i.fields {
                        SigFields::Queue { value, .. } => (s, value),
                        other => panic!("siginfo {other:?}"),
                    });
                    prop_assert_eq!(got, expected);
                }
                Op::Discard(mask) => {
                    p.discard(mask);
                    model.retain(|&(s, _)| mask & bit(s) == 0);
                }
            }
            let mask = model.iter().fold(0, |m, &(s, _)| m | bit(s));
            prop_assert_eq!(p.mask(), mask);
            prop_assert_eq!(p.queued(), model.len() as u64);
        }
    }
}
