/**
 * One labelled text. With `secret`, the text contains exactly one value that `detector` must find
 * (and `secret` is that value, exactly as it should be redacted). Without it, the text is a
 * look-alike that NO detector may flag (order numbers, versions, test cards failing Luhn…).
 */
export interface LabelledCase {
  readonly detector: string;
  readonly text: string;
  readonly secret?: string;
}
