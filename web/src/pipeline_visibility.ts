// Who sees a pipeline's deals, in the settings' words, and what the settings say when the server
// refuses a change to pipelines, stages or lost reasons (admins' settings: everyone else gets 403).

import { ApiError, type Pipeline, type PipelineVisibility } from './api';

export interface VisibilityChoice {
  value: PipelineVisibility;
  /** The option's text. */
  label: string;
  /** Shown under the select while the choice is the saved one. */
  explanation: string;
}

/** In the order the select offers them, from the narrowest. */
export const kVisibilityChoices: readonly VisibilityChoice[] = [
  {
    value: 'owners',
    label: 'Their owners (and their managers)',
    explanation: 'A rep sees the deals they own; managers see those of their teams; admins see every deal.',
  },
  {
    value: 'team',
    label: "The owner's team",
    explanation: 'Reps also see the deals their teammates own; managers and admins see them as above.',
  },
  {
    value: 'everyone',
    label: 'Everyone',
    explanation: 'Every user sees every deal of this pipeline.',
  },
];

/** The choice for `value`; a value this UI does not know reads as the narrowest, "owners". */
export function visibilityChoice(value: string | null | undefined): VisibilityChoice {
  return kVisibilityChoices.find((c) => c.value === value) ?? kVisibilityChoices[0]!;
}

/** The notice after a change is saved: the pipeline as the server answered it. */
export function visibilitySavedText(saved: Pipeline): string {
  const who: Record<PipelineVisibility, string> = {
    owners: 'their owners and their managers',
    team: "the owner's team",
    everyone: 'everyone',
  };
  return `The deals of “${saved.name}” are now seen by ${who[visibilityChoice(saved.visibility).value]}.`;
}

/** Why a change was refused with 403, to follow "Not renamed: " and the like. */
export const kAdminsOnlyReason = 'only admins change pipelines, stages and lost reasons';

/** What a non-admin reads above the settings they cannot change. */
export const kAdminsOnlySettings = `O${kAdminsOnlyReason.slice(1)}.`;

/** True for the server's refusal of a change the caller's role may not make. */
export function isForbidden(e: unknown): boolean {
  return e instanceof ApiError && e.status === 403;
}
