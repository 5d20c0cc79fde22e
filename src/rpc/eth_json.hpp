// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "rpc/eth_types.hpp"
#include "rpc/json_rpc.hpp"

#include <boost/json/value.hpp>

#include <optional>
#include <span>
#include <string_view>

/// JSON for the eth_* methods: request builders (usable in batches) and
/// strict parsers of node results. Every parser throws RpcException with
/// kind kMalformedResponse and a message naming the method and field when
/// the node's answer is not what the spec says; nothing a node sends can
/// crash them.
namespace lottery::rpc::eth_json {

Call chain_id_request();
Call block_number_request();
/// eth_getBlockByNumber(tag, false): header fields only.
Call block_by_number_request(const BlockTag& tag);
/// Throws std::invalid_argument for more than 4 topic positions or from > to.
Call get_logs_request(const LogFilter& filter);
Call eth_call_request(const CallRequest& request, const BlockTag& tag);
Call estimate_gas_request(const CallRequest& request);
Call transaction_count_request(const eth::Address& address, const BlockTag& tag);
/// Percentiles are clamped to [0, 100] and rounded to whole numbers.
Call fee_history_request(std::uint64_t block_count, const BlockTag& newest,
                         std::span<const double> percentiles);
Call gas_price_request();
Call max_priority_fee_request();
Call send_raw_transaction_request(eth::ByteView raw);
Call transaction_receipt_request(const eth::Hash32& txn_hash);
Call balance_request(const eth::Address& address, const BlockTag& tag);
Call code_request(const eth::Address& address, const BlockTag& tag);

/// A JSON-RPC quantity ("0x…", at most 256 bits).
eth::U256 parse_quantity(const boost::json::value& v, std::string_view what);
/// A quantity that must fit 64 bits.
std::uint64_t parse_u64(const boost::json::value& v, std::string_view what);
/// "0x…" hex data of any length.
eth::Bytes parse_data(const boost::json::value& v, std::string_view what);
eth::Hash32 parse_hash(const boost::json::value& v, std::string_view what);
eth::Address parse_address(const boost::json::value& v, std::string_view what);

/// nullopt for a JSON null (unknown block).
std::optional<BlockHeader> parse_block_header(const boost::json::value& v);
Log parse_log(const boost::json::value& v);
std::vector<Log> parse_logs(const boost::json::value& v);
/// nullopt for a JSON null (not mined yet / unknown).
std::optional<Receipt> parse_receipt(const boost::json::value& v);
FeeHistory parse_fee_history(const boost::json::value& v);

}  // namespace lottery::rpc::eth_json
