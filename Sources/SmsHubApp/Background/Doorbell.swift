/// Ends a background loop's pause early: the dispatcher rings it when a call finishes, so the slot it
/// frees is claimed again at once rather than at the next pass. A ring with nobody waiting is kept for
/// the next wait; rings while one is kept add nothing.
actor Doorbell {
    private var rung = false
    private var waiter: (id: Int, continuation: CheckedContinuation<Void, Never>)?
    private var waits = 0

    func ring() {
        if let waiter {
            self.waiter = nil
            waiter.continuation.resume()
        } else {
            self.rung = true
        }
    }

    /// Returns at a ring, after `interval`, or when the task is cancelled, whichever comes first.
    func wait(upTo interval: Duration) async {
        if self.rung {
            self.rung = false
            return
        }
        self.waits += 1
        let id = self.waits
        let timer = Task {
            try? await Task.sleep(for: interval)
            self.end(id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume()
                } else {
                    self.waiter = (id, continuation)
                }
            }
        } onCancel: {
            Task { await self.end(id) }
        }
        timer.cancel()
    }

    private func end(_ id: Int) {
        guard let waiter, waiter.id == id else { return }
        self.waiter = nil
        waiter.continuation.resume()
    }
}
