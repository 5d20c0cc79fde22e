// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title Lottery
/// @notice One round at a time: players stake ETH, the operator draws a stake-weighted winner inside a
/// fixed time window, the publisher earns a commission. See contracts/README.md for the full rules.
/// @dev Design choices (the "why"):
///  - Per-round storage (bets and participants keyed by round id) means closing a round never has to
///    clear storage, so draw and refund cost only the walk over participants, and finished rounds
///    stay readable. Opening the next round is a single counter write.
///  - Round data is packed into four storage slots (`RoundData`); the views widen it to the
///    all-uint256 `Round` struct of the public interface. This halves the first bet's gas.
///  - Payments are pushed with a small gas stipend; a failed push is credited to
///    `pendingWithdrawals` so no recipient can block a draw or refund (pull fallback).
///  - The participant cap bounds every loop (draw walk, refund loop, getParticipantsWithBets).
///    Refunds are paid in batches of REFUND_BATCH_SIZE so even a round full of hostile recipients
///    (each failed push costs a fresh storage slot) stays far below the EIP-7825 per-transaction
///    gas cap; larger rounds are finished with `continueRefund`.
///  - Config changes are only allowed between rounds so a running round's rules never change.
contract Lottery {
    enum RoundState {
        WAITING,
        BETTING,
        DRAWING,
        COMPLETED,
        REFUNDED
    }

    struct Round {
        uint256 roundId;
        uint256 startTime;
        uint256 endTime;
        uint256 minDrawTime;
        uint256 maxDrawTime;
        uint256 totalPot;
        uint256 participantCount;
        address winner;
        uint256 publisherCommission;
        uint256 winnerPrize;
        RoundState state;
    }

    /// @dev Storage form of a round; the id is the mapping key. Widths: times fit uint64 for
    /// billions of years, the pot fits uint128 (more than all ETH that exists), the count is capped.
    struct RoundData {
        uint64 startTime;
        uint64 endTime;
        uint64 minDrawTime;
        uint64 maxDrawTime;
        uint128 totalPot;
        uint32 participantCount;
        RoundState state;
        address winner;
        uint128 publisherCommission;
        uint128 winnerPrize;
    }

    // ---------------------------------------------------------------- constants and configuration

    /// @notice Commission cap in basis points (10%).
    uint256 public constant MAX_COMMISSION_RATE = 1000;
    /// @notice Hard upper bound for `maxParticipants` (bounds the draw walk and the views).
    uint256 public constant MAX_PARTICIPANTS_LIMIT = 500;
    /// @notice Most stakes returned by one transaction; the rest via `continueRefund(roundId)`.
    uint256 public constant REFUND_BATCH_SIZE = 250;
    /// @notice Gas forwarded with a pushed payment (the EVM adds its 2300 stipend on top).
    uint256 public constant PAYMENT_GAS_STIPEND = 10_000;
    /// @notice The draw window opens this long after `endTime`.
    uint256 public constant minDrawDelayAfterEnd = 5;
    /// @notice The draw window closes this long after `endTime`; afterwards anyone may refund.
    uint256 public constant maxDrawDelayAfterEnd = 180;
    /// @notice `extendBettingTime` must move `endTime` by at least this much.
    uint256 public constant minEndTimeExtension = 60;
    /// @notice Bounds for `bettingDuration`.
    uint256 public constant MIN_BETTING_DURATION = 10;
    uint256 public constant MAX_BETTING_DURATION = 7 days;

    address public immutable PUBLISHER;
    uint256 public immutable PUBLISHER_COMMISSION_RATE;

    address public operator;
    uint256 public minBetAmount = 0.001 ether;
    uint256 public bettingDuration = 180;
    uint256 public minParticipants = 2;
    uint256 public maxParticipants = 500;

    /// @notice ETH owed to an address whose pushed payment failed (and the publisher's commission).
    mapping(address => uint256) public pendingWithdrawals;
    /// @notice How many participants of a REFUNDED round have had their stake returned (or credited).
    mapping(uint256 => uint256) public refundProgress;

    uint256 private currentRoundId;
    mapping(uint256 => RoundData) private rounds;
    mapping(uint256 => address[]) private roundParticipants;
    mapping(uint256 => mapping(address => uint256)) private roundBets;

    bool private transient locked;

    // ---------------------------------------------------------------- events

    event RoundCreated(
        uint256 indexed roundId,
        uint256 startTime,
        uint256 endTime,
        uint256 minDrawTime,
        uint256 maxDrawTime,
        uint256 timestamp
    );
    event BetPlaced(uint256 indexed roundId, address indexed player, uint256 amount, uint256 newTotal, uint256 timestamp);
    event EndTimeExtended(uint256 indexed roundId, uint256 oldEndTime, uint256 newEndTime, uint256 timestamp);
    event RoundStateChanged(uint256 indexed roundId, uint8 oldState, uint8 newState, uint256 timestamp);
    event RoundCompleted(
        uint256 indexed roundId,
        address indexed winner,
        uint256 totalPot,
        uint256 participantCount,
        uint256 winnerPrize,
        uint256 publisherCommission,
        uint256 randomSeed,
        uint256 timestamp
    );
    event RoundRefunded(
        uint256 indexed roundId,
        uint256 totalRefunded,
        uint256 participantCount,
        string reason,
        uint256 timestamp
    );
    event MinBetAmountUpdated(uint256 oldAmount, uint256 newAmount, uint256 timestamp);
    event BettingDurationUpdated(uint256 oldDuration, uint256 newDuration, uint256 timestamp);
    event MinParticipantsUpdated(uint256 oldMinParticipants, uint256 newMinParticipants, uint256 timestamp);
    event MaxParticipantsUpdated(uint256 oldMaxParticipants, uint256 newMaxParticipants, uint256 timestamp);
    event OperatorUpdated(address indexed oldOperator, address indexed newOperator, uint256 timestamp);
    event Withdrawn(address indexed to, uint256 amount, uint256 timestamp);
    /// @notice `amount` was added to `pendingWithdrawals[to]` (commission, or a payment `to` rejected).
    event WithdrawalCredited(address indexed to, uint256 amount, uint256 timestamp);
    /// @notice A refund batch ended with `remaining` stakes still to return; call `continueRefund`.
    event RefundsPending(uint256 indexed roundId, uint256 refunded, uint256 remaining, uint256 timestamp);

    // ---------------------------------------------------------------- modifiers

    modifier onlyPublisher() {
        require(msg.sender == PUBLISHER, "Only publisher");
        _;
    }

    modifier onlyOperator() {
        require(msg.sender == operator, "Only operator");
        _;
    }

    /// @dev Every function that moves ETH or changes the round is guarded, so a paid recipient can
    /// never act on a half-finished transition; transient storage keeps the guard cheap.
    modifier nonReentrant() {
        require(!locked, "Reentrant call");
        locked = true;
        _;
        locked = false;
    }

    modifier onlyWaiting() {
        require(rounds[currentRoundId].state == RoundState.WAITING, "Round in progress");
        _;
    }

    /// @param publisherCommissionRate commission in basis points, at most `MAX_COMMISSION_RATE`.
    /// The deployer becomes PUBLISHER and also the initial operator.
    constructor(uint256 publisherCommissionRate) {
        require(publisherCommissionRate <= MAX_COMMISSION_RATE, "Commission too high");
        PUBLISHER = msg.sender;
        PUBLISHER_COMMISSION_RATE = publisherCommissionRate;
        operator = msg.sender;
        currentRoundId = 1;
        emit OperatorUpdated(address(0), msg.sender, block.timestamp);
    }

    // ---------------------------------------------------------------- publisher

    function setOperator(address newOperator) external onlyPublisher {
        require(newOperator != address(0), "Zero operator");
        address old = operator;
        operator = newOperator;
        emit OperatorUpdated(old, newOperator, block.timestamp);
    }

    // ---------------------------------------------------------------- operator configuration

    function updateMinBetAmount(uint256 newAmount) external onlyOperator onlyWaiting {
        require(newAmount > 0, "Min bet must be positive");
        uint256 old = minBetAmount;
        minBetAmount = newAmount;
        emit MinBetAmountUpdated(old, newAmount, block.timestamp);
    }

    function updateBettingDuration(uint256 newDuration) external onlyOperator onlyWaiting {
        require(
            newDuration >= MIN_BETTING_DURATION && newDuration <= MAX_BETTING_DURATION,
            "Betting duration out of range"
        );
        uint256 old = bettingDuration;
        bettingDuration = newDuration;
        emit BettingDurationUpdated(old, newDuration, block.timestamp);
    }

    function updateMinParticipants(uint256 newMin) external onlyOperator onlyWaiting {
        require(newMin >= 1 && newMin <= maxParticipants, "Min participants out of range");
        uint256 old = minParticipants;
        minParticipants = newMin;
        emit MinParticipantsUpdated(old, newMin, block.timestamp);
    }

    function updateMaxParticipants(uint256 newMax) external onlyOperator onlyWaiting {
        require(newMax >= minParticipants && newMax <= MAX_PARTICIPANTS_LIMIT, "Max participants out of range");
        uint256 old = maxParticipants;
        maxParticipants = newMax;
        emit MaxParticipantsUpdated(old, newMax, block.timestamp);
    }

    // ---------------------------------------------------------------- round lifecycle

    /// @notice Opens betting without a bet (a bet in WAITING does the same implicitly).
    function startRound() external onlyOperator onlyWaiting nonReentrant {
        startBetting(currentRoundId, rounds[currentRoundId]);
    }

    /// @notice Moves `endTime` (and the draw window with it) to `newEndTime`, while betting is open.
    function extendBettingTime(uint256 newEndTime) external onlyOperator nonReentrant {
        RoundData storage r = rounds[currentRoundId];
        require(r.state == RoundState.BETTING, "Not betting");
        uint256 old = r.endTime;
        require(block.timestamp <= old, "Betting closed");
        require(newEndTime >= old + minEndTimeExtension, "Extension too short");
        require(newEndTime - r.startTime <= MAX_BETTING_DURATION, "Extension too long");
        // newEndTime is bounded by startTime + 7 days, so the uint64 casts cannot truncate.
        r.endTime = uint64(newEndTime);
        r.minDrawTime = uint64(newEndTime + minDrawDelayAfterEnd);
        r.maxDrawTime = uint64(newEndTime + maxDrawDelayAfterEnd);
        emit EndTimeExtended(currentRoundId, old, newEndTime, block.timestamp);
    }

    /// @notice Stake `msg.value` in the current round; the first bet in WAITING starts the round.
    function placeBet() external payable nonReentrant {
        uint256 id = currentRoundId;
        RoundData storage r = rounds[id];
        require(msg.value >= minBetAmount, "Bet below minimum");
        if (r.state == RoundState.WAITING) {
            startBetting(id, r);
        } else {
            require(r.state == RoundState.BETTING, "Not betting");
            require(block.timestamp <= r.endTime, "Betting closed");
        }
        uint256 previous = roundBets[id][msg.sender];
        if (previous == 0) {
            require(r.participantCount < maxParticipants, "Too many participants");
            roundParticipants[id].push(msg.sender);
            r.participantCount += 1;
        }
        uint256 newTotal = previous + msg.value;
        roundBets[id][msg.sender] = newTotal;
        // Checked uint128 addition; msg.value < 2^128 as no account can hold more ETH than exists.
        r.totalPot += uint128(msg.value);
        emit BetPlaced(id, msg.sender, msg.value, newTotal, block.timestamp);
    }

    /// @notice Draws the winner inside [minDrawTime, maxDrawTime]; refunds when there are fewer than
    /// `minParticipants` players. An empty round may be closed as soon as `endTime` has passed.
    function drawWinner() external onlyOperator nonReentrant {
        uint256 id = currentRoundId;
        RoundData storage r = rounds[id];
        require(r.state == RoundState.BETTING, "Not betting");
        bool empty = r.participantCount == 0;
        if (empty) {
            require(block.timestamp > r.endTime, "Betting still open");
        } else {
            require(block.timestamp >= r.minDrawTime, "Too early to draw");
        }
        require(block.timestamp <= r.maxDrawTime, "Draw window closed");

        setState(id, r, RoundState.DRAWING);
        uint256 count = r.participantCount;
        if (count < minParticipants) {
            closeWithRefund(id, r, "Insufficient participants");
            return;
        }

        uint256 pot = r.totalPot;
        uint256 seed = uint256(keccak256(abi.encodePacked(block.timestamp, block.prevrandao, block.number, id, pot)));
        address winner = pickWinner(id, seed % pot);
        uint256 commission = (pot * PUBLISHER_COMMISSION_RATE) / 10000;
        uint256 prize = pot - commission;
        r.winner = winner;
        // Both are at most `pot`, which is a uint128.
        r.publisherCommission = uint128(commission);
        r.winnerPrize = uint128(prize);
        setState(id, r, RoundState.COMPLETED);
        emit RoundCompleted(id, winner, pot, count, prize, commission, seed, block.timestamp);
        if (commission > 0) {
            credit(PUBLISHER, commission);
        }
        openNextRound(RoundState.COMPLETED);
        pay(winner, prize);
    }

    /// @notice Operator cancels the current round during BETTING; every stake is returned.
    function refundRound() external onlyOperator nonReentrant {
        uint256 id = currentRoundId;
        RoundData storage r = rounds[id];
        require(r.state == RoundState.BETTING, "Not betting");
        closeWithRefund(id, r, "Refunded by operator");
    }

    /// @notice Anyone may refund a round whose draw window has closed, or close an empty round once
    /// `endTime` has passed.
    function refundExpiredRound() external nonReentrant {
        uint256 id = currentRoundId;
        RoundData storage r = rounds[id];
        require(r.state == RoundState.BETTING, "Not betting");
        if (block.timestamp > r.maxDrawTime) {
            closeWithRefund(id, r, "Round expired");
        } else {
            require(r.participantCount == 0 && block.timestamp > r.endTime, "Round not expired");
            closeWithRefund(id, r, "No participants");
        }
    }

    /// @notice Anyone may return the next batch of stakes of a REFUNDED round whose refund did not fit
    /// in one transaction (only rounds with more than REFUND_BATCH_SIZE participants).
    function continueRefund(uint256 roundId) external nonReentrant {
        RoundData storage r = rounds[roundId];
        require(r.state == RoundState.REFUNDED, "Round not refunded");
        require(refundProgress[roundId] < r.participantCount, "Refund complete");
        refundBatch(roundId, r.participantCount);
    }

    /// @notice Pays out everything credited to the caller in `pendingWithdrawals`.
    function withdraw() external nonReentrant {
        uint256 amount = pendingWithdrawals[msg.sender];
        require(amount > 0, "Nothing to withdraw");
        pendingWithdrawals[msg.sender] = 0;
        (bool ok, ) = payable(msg.sender).call{value: amount}("");
        require(ok, "Withdraw transfer failed");
        emit Withdrawn(msg.sender, amount, block.timestamp);
    }

    // ---------------------------------------------------------------- views

    function getMinBetAmount() external view returns (uint256) {
        return minBetAmount;
    }

    /// @notice The current round (same fields as `round()`, as one struct).
    function getRound() external view returns (Round memory) {
        return roundView(currentRoundId);
    }

    /// @notice The most recently finished round (COMPLETED or REFUNDED); all zero before the first.
    function getLastRound() external view returns (Round memory last) {
        if (currentRoundId > 1) {
            last = roundView(currentRoundId - 1);
        }
    }

    /// @notice Any round by id (all zero for an unknown id).
    function getRoundById(uint256 roundId) external view returns (Round memory r) {
        if (roundId >= 1 && roundId <= currentRoundId) {
            r = roundView(roundId);
        }
    }

    /// @notice The current round, as the auto-generated getter of a public struct would return it.
    function round()
        external
        view
        returns (
            uint256 roundId,
            uint256 startTime,
            uint256 endTime,
            uint256 minDrawTime,
            uint256 maxDrawTime,
            uint256 totalPot,
            uint256 participantCount,
            address winner,
            uint256 publisherCommission,
            uint256 winnerPrize,
            RoundState state
        )
    {
        Round memory r = roundView(currentRoundId);
        return (
            r.roundId,
            r.startTime,
            r.endTime,
            r.minDrawTime,
            r.maxDrawTime,
            r.totalPot,
            r.participantCount,
            r.winner,
            r.publisherCommission,
            r.winnerPrize,
            r.state
        );
    }

    /// @notice Participants of the current round in first-bet order.
    function getParticipants() external view returns (address[] memory) {
        return roundParticipants[currentRoundId];
    }

    /// @notice The `index`-th participant of the current round (reverts when out of range).
    function participants(uint256 index) external view returns (address) {
        return roundParticipants[currentRoundId][index];
    }

    /// @notice The caller-supplied player's total stake in the current round.
    function bets(address player) external view returns (uint256) {
        return roundBets[currentRoundId][player];
    }

    function getBetAmount(address player) external view returns (uint256) {
        return roundBets[currentRoundId][player];
    }

    /// @notice Participants of the current round with their total stakes, in first-bet order.
    function getParticipantsWithBets() external view returns (address[] memory players, uint256[] memory amounts) {
        return participantsWithBets(currentRoundId);
    }

    /// @notice Participants with stakes of any round (e.g. the last finished one).
    function getRoundParticipantsWithBets(
        uint256 roundId
    ) external view returns (address[] memory players, uint256[] memory amounts) {
        return participantsWithBets(roundId);
    }

    function getConfig()
        external
        view
        returns (
            address publisherAddr,
            address operatorAddr,
            uint256 publisherCommission,
            uint256 minBet,
            uint256 bettingDur,
            uint256 minDrawDelay,
            uint256 maxDrawDelay,
            uint256 minEndTimeExt,
            uint256 minPart
        )
    {
        return (
            PUBLISHER,
            operator,
            PUBLISHER_COMMISSION_RATE,
            minBetAmount,
            bettingDuration,
            minDrawDelayAfterEnd,
            maxDrawDelayAfterEnd,
            minEndTimeExtension,
            minParticipants
        );
    }

    // ---------------------------------------------------------------- internals

    function startBetting(uint256 id, RoundData storage r) private {
        uint256 start = block.timestamp;
        uint256 end = start + bettingDuration;
        uint256 minDraw = end + minDrawDelayAfterEnd;
        uint256 maxDraw = end + maxDrawDelayAfterEnd;
        // Block times and bettingDuration (<= 7 days) are far below 2^64.
        r.startTime = uint64(start);
        r.endTime = uint64(end);
        r.minDrawTime = uint64(minDraw);
        r.maxDrawTime = uint64(maxDraw);
        emit RoundCreated(id, start, end, minDraw, maxDraw, start);
        setState(id, r, RoundState.BETTING);
    }

    function setState(uint256 id, RoundData storage r, RoundState next) private {
        RoundState old = r.state;
        r.state = next;
        emit RoundStateChanged(id, uint8(old), uint8(next), block.timestamp);
    }

    function roundView(uint256 id) private view returns (Round memory) {
        RoundData storage r = rounds[id];
        return Round({
            roundId: id,
            startTime: r.startTime,
            endTime: r.endTime,
            minDrawTime: r.minDrawTime,
            maxDrawTime: r.maxDrawTime,
            totalPot: r.totalPot,
            participantCount: r.participantCount,
            winner: r.winner,
            publisherCommission: r.publisherCommission,
            winnerPrize: r.winnerPrize,
            state: r.state
        });
    }

    /// @dev Walks participants in first-bet order; the first whose cumulative stake exceeds `target`
    /// wins. `target < totalPot`, so the walk always ends on a participant.
    function pickWinner(uint256 id, uint256 target) private view returns (address) {
        address[] storage list = roundParticipants[id];
        mapping(address => uint256) storage stakes = roundBets[id];
        uint256 cumulative = 0;
        uint256 n = list.length;
        for (uint256 i = 0; i < n; ++i) {
            address player = list[i];
            cumulative += stakes[player];
            if (cumulative > target) {
                return player;
            }
        }
        revert("Winner not found");
    }

    /// @dev Marks the round REFUNDED, opens the next round, then returns the first batch of stakes.
    function closeWithRefund(uint256 id, RoundData storage r, string memory reason) private {
        uint256 n = r.participantCount;
        setState(id, r, RoundState.REFUNDED);
        emit RoundRefunded(id, r.totalPot, n, reason, block.timestamp);
        openNextRound(RoundState.REFUNDED);
        if (n > 0) {
            refundBatch(id, n);
        }
    }

    /// @dev Returns stakes [refundProgress, refundProgress + REFUND_BATCH_SIZE) of round `id`.
    /// Progress is stored before paying so a re-entrant path could never pay twice.
    function refundBatch(uint256 id, uint256 n) private {
        uint256 from = refundProgress[id];
        uint256 to = from + REFUND_BATCH_SIZE;
        if (to > n) {
            to = n;
        }
        refundProgress[id] = to;
        address[] storage list = roundParticipants[id];
        mapping(address => uint256) storage stakes = roundBets[id];
        for (uint256 i = from; i < to; ++i) {
            address player = list[i];
            pay(player, stakes[player]);
        }
        if (to < n) {
            emit RefundsPending(id, to, n - to, block.timestamp);
        }
    }

    function openNextRound(RoundState finished) private {
        uint256 next = currentRoundId + 1;
        currentRoundId = next;
        emit RoundStateChanged(next, uint8(finished), uint8(RoundState.WAITING), block.timestamp);
    }

    /// @dev Pushes `amount` with a bounded stipend and without copying return data, so a hostile
    /// recipient can neither revert the caller nor burn unbounded gas; on failure it is credited.
    function pay(address to, uint256 amount) private {
        bool ok;
        uint256 stipend = PAYMENT_GAS_STIPEND;
        assembly {
            ok := call(stipend, to, amount, 0, 0, 0, 0)
        }
        if (!ok) {
            credit(to, amount);
        }
    }

    function credit(address to, uint256 amount) private {
        pendingWithdrawals[to] += amount;
        emit WithdrawalCredited(to, amount, block.timestamp);
    }

    function participantsWithBets(
        uint256 id
    ) private view returns (address[] memory players, uint256[] memory amounts) {
        address[] storage list = roundParticipants[id];
        mapping(address => uint256) storage stakes = roundBets[id];
        uint256 n = list.length;
        players = new address[](n);
        amounts = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            address player = list[i];
            players[i] = player;
            amounts[i] = stakes[player];
        }
    }
}
