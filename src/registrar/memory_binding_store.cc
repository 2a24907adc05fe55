#include "registrar/memory_binding_store.h"

#include <algorithm>
#include <utility>

namespace sipreg::registrar {
namespace {

std::vector<Binding> Unexpired(const std::vector<Binding>& bindings, WallTime now) {
  std::vector<Binding> out;
  out.reserve(bindings.size());
  for (const Binding& b : bindings) {
    if (b.expires_at > now) out.push_back(b);
  }
  return out;
}

Status Validate(const std::vector<BindingChange>& changes) {
  for (const BindingChange& c : changes) {
    switch (c.kind) {
      case BindingChange::Kind::kUpsert:
      case BindingChange::Kind::kRemove:
        if (c.binding.contact.empty()) {
          return Status::InvalidArgument("binding change with an empty contact");
        }
        break;
      case BindingChange::Kind::kRemoveAll:
        break;
    }
  }
  return Status::Ok();
}

}  // namespace

MemoryBindingStore::MemoryBindingStore(size_t shard_count, BindingJournal* journal)
    : shard_count_(shard_count == 0 ? 1 : shard_count),
      shards_(new Shard[shard_count_]),
      journal_(journal) {}

MemoryBindingStore::~MemoryBindingStore() = default;

MemoryBindingStore::Shard& MemoryBindingStore::ShardFor(std::string_view aor) const {
  // Mix the high bits in: the map inside the shard uses the same hash.
  const size_t h = StringHash{}(aor);
  return shards_[(h ^ (h >> 29)) % shard_count_];
}

void MemoryBindingStore::IndexAdd(Shard& shard, uint64_t connection_id, const std::string& aor) {
  if (connection_id != 0) shard.by_connection.emplace(connection_id, aor);
}

void MemoryBindingStore::IndexRemove(Shard& shard, uint64_t connection_id, std::string_view aor) {
  if (connection_id == 0) return;
  auto [first, last] = shard.by_connection.equal_range(connection_id);
  for (auto it = first; it != last; ++it) {
    if (it->second == aor) {
      shard.by_connection.erase(it);
      return;
    }
  }
}

bool MemoryBindingStore::UpsertLocked(Shard& shard, std::vector<Binding>& bindings,
                                      Binding binding) {
  shard.earliest_expiry = std::min(shard.earliest_expiry, binding.expires_at);
  auto same = std::find_if(bindings.begin(), bindings.end(), [&](const Binding& b) {
    return b.contact == binding.contact;
  });
  if (same != bindings.end()) {
    if (same->connection_id != binding.connection_id) {
      IndexRemove(shard, same->connection_id, binding.aor);
      IndexAdd(shard, binding.connection_id, binding.aor);
    }
    *same = std::move(binding);
    return true;
  }
  IndexAdd(shard, binding.connection_id, binding.aor);
  bindings.push_back(std::move(binding));
  count_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

void MemoryBindingStore::Update(std::string_view aor, WallTime now, const Decide& decide,
                                ApplyDone done) {
  if (aor.empty()) {
    done(Status::InvalidArgument("binding update with an empty AOR"));
    return;
  }
  Shard& shard = ShardFor(aor);
  std::vector<Binding> result;
  {
    std::unique_lock lock(shard.mu);
    auto it = shard.aors.find(aor);
    Result<std::vector<BindingChange>> decided =
        decide(it == shard.aors.end() ? std::vector<Binding>{} : Unexpired(it->second, now));
    Status valid = decided.ok() ? Validate(*decided) : decided.status();
    if (!valid.ok()) {
      lock.unlock();
      done(std::move(valid));
      return;
    }

    std::vector<BindingChange> effective;
    if (journal_ != nullptr) effective.reserve(decided->size());
    for (BindingChange& change : *decided) {
      switch (change.kind) {
        case BindingChange::Kind::kUpsert: {
          if (it == shard.aors.end()) it = shard.aors.try_emplace(std::string(aor)).first;
          change.binding.aor = it->first;
          if (journal_ != nullptr) {
            change.replaces = UpsertLocked(shard, it->second, change.binding);
            effective.push_back(std::move(change));
          } else {
            (void)UpsertLocked(shard, it->second, std::move(change.binding));
          }
          break;
        }
        case BindingChange::Kind::kRemove: {
          if (it == shard.aors.end()) break;
          auto& bindings = it->second;
          auto found = std::find_if(bindings.begin(), bindings.end(), [&](const Binding& b) {
            return b.contact == change.binding.contact;
          });
          if (found == bindings.end()) break;
          IndexRemove(shard, found->connection_id, aor);
          bindings.erase(found);
          count_.fetch_sub(1, std::memory_order_relaxed);
          if (journal_ != nullptr) {
            effective.push_back(BindingChange::Remove(std::move(change.binding.contact)));
          }
          break;
        }
        case BindingChange::Kind::kRemoveAll: {
          if (it == shard.aors.end() || it->second.empty()) break;
          for (const Binding& b : it->second) IndexRemove(shard, b.connection_id, aor);
          count_.fetch_sub(it->second.size(), std::memory_order_relaxed);
          it->second.clear();
          if (journal_ != nullptr) effective.push_back(BindingChange::RemoveAll());
          break;
        }
      }
    }
    if (it != shard.aors.end()) {
      if (it->second.empty()) {
        shard.aors.erase(it);
      } else {
        result = Unexpired(it->second, now);
      }
    }
    if (journal_ != nullptr) {
      journal_->Record(aor, std::move(effective), std::move(result), std::move(done));
      return;
    }
  }
  done(std::move(result));
}

std::vector<Binding> MemoryBindingStore::Lookup(std::string_view aor, WallTime now) const {
  Shard& shard = ShardFor(aor);
  std::lock_guard lock(shard.mu);
  auto it = shard.aors.find(aor);
  if (it == shard.aors.end()) return {};
  return Unexpired(it->second, now);
}

void MemoryBindingStore::ForEach(const std::function<void(const Binding&)>& visit) const {
  for (size_t i = 0; i < shard_count_; ++i) {
    const Shard& shard = shards_[i];
    std::lock_guard lock(shard.mu);
    for (const auto& [aor, bindings] : shard.aors) {
      for (const Binding& b : bindings) visit(b);
    }
  }
}

std::vector<Binding> MemoryBindingStore::RemoveExpired(WallTime now) {
  std::vector<Binding> removed;
  for (size_t i = 0; i < shard_count_; ++i) {
    Shard& shard = shards_[i];
    std::lock_guard lock(shard.mu);
    if (shard.earliest_expiry > now) continue;
    WallTime earliest = WallTime::max();
    for (auto it = shard.aors.begin(); it != shard.aors.end();) {
      auto& bindings = it->second;
      std::vector<BindingChange> changes;
      auto keep = std::stable_partition(bindings.begin(), bindings.end(),
                                        [now](const Binding& b) { return b.expires_at > now; });
      for (auto gone = keep; gone != bindings.end(); ++gone) {
        IndexRemove(shard, gone->connection_id, it->first);
        if (journal_ != nullptr) changes.push_back(BindingChange::Remove(gone->contact));
        removed.push_back(std::move(*gone));
      }
      const size_t n_removed = static_cast<size_t>(bindings.end() - keep);
      bindings.erase(keep, bindings.end());
      count_.fetch_sub(n_removed, std::memory_order_relaxed);
      for (const Binding& b : bindings) earliest = std::min(earliest, b.expires_at);
      if (journal_ != nullptr && !changes.empty()) {
        journal_->Record(it->first, std::move(changes), {}, nullptr);
      }
      it = bindings.empty() ? shard.aors.erase(it) : std::next(it);
    }
    shard.earliest_expiry = earliest;
  }
  return removed;
}

std::vector<Binding> MemoryBindingStore::RemoveByConnection(uint64_t connection_id) {
  std::vector<Binding> removed;
  if (connection_id == 0) return removed;
  for (size_t i = 0; i < shard_count_; ++i) {
    Shard& shard = shards_[i];
    std::lock_guard lock(shard.mu);
    auto [first, last] = shard.by_connection.equal_range(connection_id);
    if (first == last) continue;
    std::vector<std::string> aors;
    for (auto it = first; it != last; ++it) {
      if (std::find(aors.begin(), aors.end(), it->second) == aors.end()) {
        aors.push_back(it->second);
      }
    }
    shard.by_connection.erase(first, last);
    for (const std::string& aor : aors) {
      auto it = shard.aors.find(aor);
      if (it == shard.aors.end()) continue;
      auto& bindings = it->second;
      std::vector<BindingChange> changes;
      auto keep = std::stable_partition(bindings.begin(), bindings.end(), [&](const Binding& b) {
        return b.connection_id != connection_id;
      });
      for (auto gone = keep; gone != bindings.end(); ++gone) {
        if (journal_ != nullptr) changes.push_back(BindingChange::Remove(gone->contact));
        removed.push_back(std::move(*gone));
      }
      count_.fetch_sub(static_cast<size_t>(bindings.end() - keep), std::memory_order_relaxed);
      bindings.erase(keep, bindings.end());
      if (journal_ != nullptr && !changes.empty()) {
        journal_->Record(aor, std::move(changes), {}, nullptr);
      }
      if (bindings.empty()) shard.aors.erase(it);
    }
  }
  return removed;
}

bool MemoryBindingStore::Restore(Binding binding) {
  if (binding.aor.empty() || binding.contact.empty()) return false;
  Shard& shard = ShardFor(binding.aor);
  std::lock_guard lock(shard.mu);
  auto it = shard.aors.find(binding.aor);
  if (it == shard.aors.end()) it = shard.aors.try_emplace(binding.aor).first;
  (void)UpsertLocked(shard, it->second, std::move(binding));
  return true;
}

}  // namespace sipreg::registrar
