#include "transaction/completed_responses.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <new>
#include <utility>

namespace sipreg::txn {
namespace {

constexpr size_t kBlockSize = size_t{1} << 20;
constexpr size_t kMinSlots = 1024;
constexpr size_t kAlign = alignof(std::max_align_t);

size_t Padded(size_t n) { return (n + kAlign - 1) & ~(kAlign - 1); }

void AppendField(std::string& out, std::string_view v) {
  const auto n = static_cast<uint32_t>(v.size());
  out.append(reinterpret_cast<const char*>(&n), sizeof n);
  out.append(v);
}

void CopyBytes(char* to, std::string_view from) {
  if (!from.empty()) std::memcpy(to, from.data(), from.size());
}

}  // namespace

std::string_view CompletedResponses::Serialize(const TransactionKey& key) const {
  // Every field, so two keys have the same bytes exactly when they are equal.
  scratch_.clear();
  scratch_.push_back(static_cast<char>(key.side));
  scratch_.push_back(key.rfc2543 ? '1' : '0');
  for (const std::string* field : {&key.method, &key.branch, &key.sent_by, &key.request_uri,
                                   &key.call_id, &key.from_tag, &key.to_tag, &key.top_via}) {
    AppendField(scratch_, *field);
  }
  scratch_.append(reinterpret_cast<const char*>(&key.cseq_number), sizeof key.cseq_number);
  return scratch_;
}

void CompletedResponses::Add(const TransactionKey& key, const Entry& entry, SteadyTime now) {
  const std::string_view k = Serialize(key);
  const size_t hash = std::hash<std::string_view>{}(k);
  if (Lookup(k, hash) != nullptr) return;
  const size_t total = Padded(sizeof(Record) + k.size() + entry.response.size());
  char* at = Allocate(total);
  char* bytes = at + sizeof(Record);
  CopyBytes(bytes, k);
  CopyBytes(bytes + k.size(), entry.response);
  auto* record = new (at) Record{
      now + lifetime_, hash, static_cast<uint32_t>(k.size()), static_cast<uint32_t>(total),
      Entry{std::string_view(bytes + k.size(), entry.response.size()), entry.destination,
            entry.local}};
  Insert(record);
  ++count_;
}

const CompletedResponses::Entry* CompletedResponses::Find(const TransactionKey& key) const {
  if (count_ == 0) return nullptr;
  const std::string_view k = Serialize(key);
  const Record* record = Lookup(k, std::hash<std::string_view>{}(k));
  return record == nullptr ? nullptr : &record->entry;
}

size_t CompletedResponses::Expire(SteadyTime now) {
  size_t dropped = 0;
  while (!blocks_.empty()) {
    Block& front = blocks_.front();
    if (front.begin == front.end) {
      if (blocks_.size() == 1) {  // the only block, empty: fill it again from the start
        front.begin = front.end = 0;
        break;
      }
      if (front.size == kBlockSize && !spare_.data) spare_ = std::move(front);
      blocks_.pop_front();
      continue;
    }
    auto* record = std::launder(reinterpret_cast<Record*>(front.data.get() + front.begin));
    if (record->expires > now) break;
    Erase(record);
    front.begin += record->total_size;
    record->~Record();
    --count_;
    ++dropped;
  }
  return dropped;
}

void CompletedResponses::Clear() {
  for (Block& b : blocks_) {
    for (size_t at = b.begin; at < b.end;) {
      auto* record = std::launder(reinterpret_cast<Record*>(b.data.get() + at));
      at += record->total_size;
      record->~Record();
    }
  }
  blocks_.clear();
  spare_ = Block{};
  slots_.clear();
  count_ = 0;
}

CompletedResponses::Record* CompletedResponses::Lookup(std::string_view key, size_t hash) const {
  if (slots_.empty()) return nullptr;
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.record == nullptr) return nullptr;
    if (s.hash == hash && s.record->key() == key) return s.record;
  }
}

void CompletedResponses::Insert(Record* record) {
  if ((count_ + 1) * 2 > slots_.size()) Grow();
  const size_t mask = slots_.size() - 1;
  size_t i = record->hash & mask;
  while (slots_[i].record != nullptr) i = (i + 1) & mask;
  slots_[i] = Slot{record->hash, record};
}

void CompletedResponses::Grow() {
  std::vector<Slot> old(std::max(kMinSlots, slots_.size() * 2));
  old.swap(slots_);
  const size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.record == nullptr) continue;
    size_t i = s.hash & mask;
    while (slots_[i].record != nullptr) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

void CompletedResponses::Erase(const Record* record) {
  const size_t mask = slots_.size() - 1;
  size_t i = record->hash & mask;
  while (slots_[i].record != record) i = (i + 1) & mask;  // it is there: it was inserted
  // Backward-shift deletion: pull later members of the probe run into the hole
  // when their home slot allows, so lookups need no tombstones.
  for (size_t j = (i + 1) & mask; slots_[j].record != nullptr; j = (j + 1) & mask) {
    const size_t home = slots_[j].hash & mask;
    const bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
    if (!stays) {
      slots_[i] = slots_[j];
      i = j;
    }
  }
  slots_[i] = Slot{};
}

char* CompletedResponses::Allocate(size_t bytes) {
  if (blocks_.empty() || blocks_.back().size - blocks_.back().end < bytes) {
    Block b;
    if (bytes <= kBlockSize && spare_.data) {
      b = std::move(spare_);
      spare_ = Block{};
    } else {
      b.size = std::max(kBlockSize, bytes);
      b.data = std::make_unique_for_overwrite<char[]>(b.size);
    }
    b.begin = b.end = 0;
    blocks_.push_back(std::move(b));
  }
  Block& back = blocks_.back();
  char* at = back.data.get() + back.end;
  back.end += bytes;
  return at;
}

}  // namespace sipreg::txn
