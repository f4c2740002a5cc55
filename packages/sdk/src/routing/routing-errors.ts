import { InvalidRequestError } from '../errors/http-errors.js';
import { SwitchyardError, type SwitchyardErrorOptions } from '../errors/switchyard-error.js';

/** No target was tried because the price guard refused every one (dearer than `maxPrice`, or than the budget). */
export class PriceGuardError extends SwitchyardError {
  static override readonly kind: string = 'PriceGuardError';
  override readonly code: string = 'price_guard';
}

/** What does not fit a model, found before any network call. */
export interface PreflightProblem {
  kind: 'context' | 'parameter' | 'modality';
  detail: string;
}

/** The request does not fit the model's catalog entry (unsupported parameters or input modalities). */
export class PreflightError extends InvalidRequestError {
  static override readonly kind: string = 'PreflightError';
  override readonly code: string = 'preflight_failed';
  readonly problems: PreflightProblem[];

  constructor(message: string, options: SwitchyardErrorOptions & { problems: PreflightProblem[] }) {
    super(message, options);
    this.problems = options.problems;
  }
}
