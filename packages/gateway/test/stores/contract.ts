/**
 * The store contract, run against every backend with real databases: the ledger contract (ledger-contract.ts) and
 * the budget contract (budget-contract.ts), each registering describe blocks for a target (contract-target.ts).
 */

export { budgetContract } from './budget-contract.js';
export type { ContractTarget, LedgerContractTarget } from './contract-target.js';
export { ledgerContract } from './ledger-contract.js';
