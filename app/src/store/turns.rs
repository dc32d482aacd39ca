//! Bookings of one slot take turns within an instance, and those who come after the last place
//! was seen taken are told so without the write path.
//!
//! In a rush on the last places of a slot, everyone who read the slot "not full" before the last
//! place was taken comes to the write path: without turns, hundreds of them each read the
//! dossier, the calendar and the closures, then wait on the slot's row, each holding a connection
//! of the pool, and the few who take the places wait behind them. Here they wait in memory, one
//! booker of the slot at a time; once a booker of this instance sees the slot full (its booking
//! took the last place, or found none left), those who were already waiting are refused at once.
//! Their answer is the one they would have had at that moment, which falls within their own
//! request: whoever arrives later takes the write path again, since a place may have been freed
//! since (a cancellation, perhaps on another instance). The database still decides: turns only
//! spare it work, they never let in a booking it would refuse.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Utc};

/// A slot: its post, the kind of check and when it starts.
type SlotKey = (String, &'static str, DateTime<Utc>);

/// The slots being booked in this instance now, each with its turn.
#[derive(Default)]
pub(crate) struct Turns {
    slots: Mutex<HashMap<SlotKey, Arc<Turn>>>,
}

/// One slot's turn: held by the booker whose turn it is, and when a booker of this instance last
/// saw the slot full.
#[derive(Default)]
pub(crate) struct Turn {
    full_seen_at: tokio::sync::Mutex<Option<Instant>>,
}

/// A booker's place in a slot's queue; leaving it forgets the slot once nobody waits for it.
pub(crate) struct InLine<'a> {
    turns: &'a Turns,
    key: SlotKey,
    turn: Arc<Turn>,
}

/// What a booker learns when their turn comes.
pub(crate) enum TurnCome<'a> {
    /// The slot was seen full after they arrived: refused as it was then.
    SeenFull,
    /// Theirs to try; say what they found with [`MyTurn::saw_full`].
    Yours(MyTurn<'a>),
}

/// The turn of one booker, until dropped.
pub(crate) struct MyTurn<'a> {
    seen: tokio::sync::MutexGuard<'a, Option<Instant>>,
}

impl MyTurn<'_> {
    /// The booker saw the slot full: the booking took its last place, or found none left.
    pub(crate) fn saw_full(&mut self) {
        *self.seen = Some(Instant::now());
    }
}

impl Turns {
    /// Joins the queue of a slot.
    pub(crate) fn join(
        &self,
        post: &str,
        check: &'static str,
        starts_at: DateTime<Utc>,
    ) -> InLine<'_> {
        let key = (post.to_owned(), check, starts_at);
        let turn = {
            let mut slots = self
                .slots
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            Arc::clone(slots.entry(key.clone()).or_default())
        };
        InLine {
            turns: self,
            key,
            turn,
        }
    }

    #[cfg(test)]
    fn queued_slots(&self) -> usize {
        self.slots
            .lock()
            .map(|slots| slots.len())
            .unwrap_or_default()
    }
}

impl InLine<'_> {
    /// Waits for the slot's turn; `arrived` is when the booker came to book (after reading the
    /// slot "not full"), so that only a later sight of the slot full refuses them.
    pub(crate) async fn wait(&self, arrived: Instant) -> TurnCome<'_> {
        let seen = self.turn.full_seen_at.lock().await;
        if seen.is_some_and(|at| at > arrived) {
            return TurnCome::SeenFull;
        }
        TurnCome::Yours(MyTurn { seen })
    }
}

impl Drop for InLine<'_> {
    fn drop(&mut self) {
        let mut slots = self
            .turns
            .slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // The map's handle and this one: nobody else waits for this slot (joining takes the
        // map's lock, held here).
        if Arc::strong_count(&self.turn) == 2 {
            slots.remove(&self.key);
        }
    }
}

/// Runs `work`, on which others wait, on the thread that polls it, without going back to the
/// runtime between its steps: its worker hands the runtime's other tasks to another thread for
/// the time (`block_in_place`), and each step's wake-up resumes it there at once. In a crowd,
/// hundreds of requests are ready on the runtime's few threads; a task among them waits for all
/// those ahead of it at each of its steps (each statement of a transaction, through the
/// database's connection threads), and those who wait for its turn wait as long. On a runtime
/// of one thread (most tests'), `work` is simply awaited.
pub(crate) async fn ahead_of_the_crowd<F: std::future::Future>(work: F) -> F::Output {
    let runtime = tokio::runtime::Handle::current();
    if runtime.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread {
        tokio::task::block_in_place(|| runtime.block_on(work))
    } else {
        work.await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hour: u32) -> DateTime<Utc> {
        use chrono::TimeZone;
        Utc.with_ymd_and_hms(2026, 12, 7, hour, 0, 0).unwrap()
    }

    #[tokio::test]
    async fn those_waiting_when_the_slot_is_seen_full_are_refused_and_later_comers_try_again() {
        let turns = Turns::default();
        let first = turns.join("FRLEH1", "physique", at(9));
        let arrived_first = Instant::now();
        let TurnCome::Yours(mut mine) = first.wait(arrived_first).await else {
            panic!("le premier arrivé doit avoir son tour");
        };
        // Another booker of the same slot arrives while the first one books: they wait.
        let second = turns.join("FRLEH1", "physique", at(9));
        {
            let waiting = second.wait(Instant::now());
            tokio::pin!(waiting);
            assert!(
                futures::poll!(waiting.as_mut()).is_pending(),
                "le second attend son tour"
            );
            // A booker of another slot does not wait.
            let other = turns.join("FRLEH1", "physique", at(10));
            assert!(matches!(
                other.wait(Instant::now()).await,
                TurnCome::Yours(_)
            ));
            drop(other);
            mine.saw_full();
            drop(mine);
            assert!(
                matches!(waiting.await, TurnCome::SeenFull),
                "arrivé avant que le créneau soit vu complet, le second est refusé"
            );
        }
        // Someone arriving after the sight tries again: a place may have been freed since.
        let third = turns.join("FRLEH1", "physique", at(9));
        assert!(matches!(
            third.wait(Instant::now()).await,
            TurnCome::Yours(_)
        ));
        drop((first, second, third));
        assert_eq!(turns.queued_slots(), 0, "un créneau sans file est oublié");
    }
}
