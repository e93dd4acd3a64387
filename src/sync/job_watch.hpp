// The job row of a sync in progress is written inside the sync's own transaction; if that
// transaction aborts without the failure having been recorded (the session dies mid-sync, or the
// caller rolls back after the sync returned), a helper worker records the sync as failed.
#pragma once

#include <string>

namespace berqenas::sync {

// From now until the current transaction ends, an abort records this job as failed (through a
// background worker that is not waited for). Call again to replace, forget_job_on_abort() to cancel.
void record_job_on_abort(long long remote_database_id, const std::string& mode, const std::string& sync_id,
                         double started_epoch);
void forget_job_on_abort();

}  // namespace berqenas::sync
