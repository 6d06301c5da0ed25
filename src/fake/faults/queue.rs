//! The faults waiting for requests, in the order they were injected: each counted fault for
//! its next requests, each throttle for its time from the first request that meets it.

use std::{
    collections::VecDeque,
    time::{Duration, Instant},
};

use super::Fault;
use crate::Operation;

/// The faults waiting for requests, in the order they were injected.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    queue: VecDeque<Scripted>,
}

#[derive(Debug)]
struct Scripted {
    /// `None`: any request, even to a path that is not the API's.
    target: Option<Operation>,
    fault: Fault,
    left: Left,
}

/// What is left of a fault.
#[derive(Debug)]
enum Left {
    /// This many requests.
    Requests(usize),
    /// A throttle not yet met: this long from the first request that meets it.
    For(Duration),
    /// A throttle met: until then.
    Until(Instant),
}

impl FaultQueue {
    /// Queues `fault` for the next `times` requests aimed at `target`; a throttle, for its
    /// time from the first of them (`times` is not used).
    pub(crate) fn push(&mut self, target: Option<Operation>, times: usize, fault: Fault) {
        let left = match fault.throttle() {
            Some(duration) => Left::For(duration),
            None if times == 0 => return,
            None => Left::Requests(times),
        };
        self.queue.push_back(Scripted {
            target,
            fault,
            left,
        });
    }

    /// Takes the first queued fault that applies to a request of `operation` (`None` for a
    /// request that is not one of the API's operations).
    pub(crate) fn take(&mut self, operation: Option<Operation>) -> Option<Fault> {
        let now = Instant::now();
        self.queue
            .retain(|s| !matches!(s.left, Left::Until(until) if until <= now));
        let position = self
            .queue
            .iter()
            .position(|s| s.target.is_none() || s.target == operation)?;
        let scripted = &mut self.queue[position];
        match &mut scripted.left {
            Left::Requests(1) => return self.queue.remove(position).map(|s| s.fault),
            Left::Requests(n) => *n -= 1,
            Left::For(duration) => scripted.left = Left::Until(now + *duration),
            Left::Until(_) => {}
        }
        Some(scripted.fault.clone())
    }

    /// How many requests will still meet a fault; a throttle not yet over counts as one.
    pub(crate) fn pending(&self) -> usize {
        let now = Instant::now();
        self.queue.iter().fold(0usize, |sum, s| {
            sum.saturating_add(match s.left {
                Left::Requests(n) => n,
                Left::For(_) => 1,
                Left::Until(until) => usize::from(until > now),
            })
        })
    }

    /// Forgets every queued fault.
    pub(crate) fn clear(&mut self) {
        self.queue.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_taken_in_order_and_only_by_their_target() {
        let mut queue = FaultQueue::default();
        let unavailable = Fault::status(503).unwrap();
        queue.push(Some(Operation::AddMembers), 2, unavailable.clone());
        queue.push(None, 1, Fault::drop_connection());
        assert_eq!(queue.pending(), 3);
        assert_eq!(
            queue.take(Some(Operation::GetGroup)),
            Some(Fault::drop_connection())
        );
        assert_eq!(queue.take(Some(Operation::GetGroup)), None);
        assert_eq!(queue.take(None), None);
        assert_eq!(queue.take(Some(Operation::AddMembers)), Some(unavailable));
        assert_eq!(queue.pending(), 1);
        assert!(queue.take(Some(Operation::AddMembers)).is_some());
        assert_eq!(queue.pending(), 0);
    }

    #[test]
    fn a_throttle_lasts_its_time_from_the_first_request_that_meets_it() {
        let mut queue = FaultQueue::default();
        let throttled = Fault::throttled(Duration::from_millis(300));
        queue.push(Some(Operation::AddMembers), 5, throttled.clone());
        queue.push(None, 1, Fault::drop_connection());
        assert_eq!(queue.pending(), 2);
        // Not yet met: its time has not started, and other operations pass it by.
        std::thread::sleep(Duration::from_millis(350));
        assert_eq!(
            queue.take(Some(Operation::GetGroup)),
            Some(Fault::drop_connection())
        );
        let met = Instant::now();
        for _ in 0..10 {
            assert_eq!(
                queue.take(Some(Operation::AddMembers)),
                Some(throttled.clone())
            );
        }
        assert_eq!(queue.take(Some(Operation::GetGroup)), None);
        assert_eq!(queue.pending(), 1);
        std::thread::sleep(Duration::from_millis(300).saturating_sub(met.elapsed()));
        assert_eq!(queue.take(Some(Operation::AddMembers)), None);
        assert_eq!(queue.pending(), 0);
    }
}
