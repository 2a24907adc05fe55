#include "transaction/completed_responses.h"

#include <utility>

namespace sipreg::txn {

void CompletedResponses::Add(const TransactionKey& key, Entry entry, SteadyTime now) {
  auto [it, inserted] = responses_.try_emplace(key, std::move(entry));
  if (!inserted) return;
  order_.push_back({now + lifetime_, &it->first});
}

const CompletedResponses::Entry* CompletedResponses::Find(const TransactionKey& key) const {
  auto it = responses_.find(key);
  return it == responses_.end() ? nullptr : &it->second;
}

size_t CompletedResponses::Expire(SteadyTime now) {
  size_t dropped = 0;
  while (!order_.empty() && order_.front().at <= now) {
    // Erase by iterator: the key passed in would be freed by the erase itself.
    auto it = responses_.find(*order_.front().key);
    if (it != responses_.end()) responses_.erase(it);
    order_.pop_front();
    ++dropped;
  }
  return dropped;
}

void CompletedResponses::Clear() {
  order_.clear();
  responses_.clear();
}

}  // namespace sipreg::txn
