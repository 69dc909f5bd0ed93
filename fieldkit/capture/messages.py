"""The engine's own words, in English, French and Arabic (others fall back to English).

Form texts (labels, hints, constraint messages) come from the instrument; these are the
engine's: error messages, the consent block's questions, and the special answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from fieldkit.capture.messages_ar import ARABIC
from fieldkit.errors import AnswerError, ConsentError, FieldkitError

__all__ = [
    "DONT_KNOW_KEY",
    "DONT_KNOW_WORDS",
    "HIDDEN",
    "LANGUAGE_NAMES",
    "NO_WORDS",
    "REFUSED_KEY",
    "REFUSED_WORDS",
    "YES_WORDS",
    "answer_error",
    "consent_error",
    "localized",
    "say",
]

HIDDEN: Final = "•••"
"""How an identifying (pii) answer is displayed once entered."""

FALLBACK: Final = "en"

_TEXTS: Final[dict[str, dict[str, str]]] = {
    # -- answers the engine refuses ------------------------------------------------------
    "integer": {"en": "Enter a whole number.", "fr": "Saisissez un nombre entier."},
    "decimal": {"en": "Enter a number.", "fr": "Saisissez un nombre."},
    "grouped": {
        "en": "'{token}' could be a number in thousands or one with decimals: type it without"
        " the comma, or with a point before the decimals.",
        "fr": "« {token} » peut se lire en milliers ou avec des décimales : tapez-le sans la"
        " virgule, ou avec un point avant les décimales.",
    },
    "date": {
        "en": "Enter a date as YYYY-MM-DD.",
        "fr": "Saisissez une date au format AAAA-MM-JJ.",
    },
    "time": {"en": "Enter a time as HH:MM.", "fr": "Saisissez une heure au format HH:MM."},
    "datetime": {
        "en": "Enter a date and time as YYYY-MM-DD HH:MM.",
        "fr": "Saisissez une date et une heure au format AAAA-MM-JJ HH:MM.",
    },
    "geopoint": {
        "en": "Enter a location as 'latitude longitude [altitude accuracy]'.",
        "fr": "Saisissez une position : « latitude longitude [altitude précision] ».",
    },
    "text": {"en": "Enter a text.", "fr": "Saisissez un texte."},
    "choice": {
        "en": "'{token}' is not one of the choices: type the number shown beside a choice.",
        "fr": "« {token} » ne fait pas partie des choix : tapez le numéro affiché à côté d'un"
        " choix.",
    },
    "hidden_choice": {
        "en": "'{token}' does not apply given the earlier answers.",
        "fr": "« {token} » ne s'applique pas compte tenu des réponses précédentes.",
    },
    "exclusive": {
        "en": "'{token}' cannot be combined with other choices.",
        "fr": "« {token} » ne peut pas être combiné avec d'autres choix.",
    },
    "required": {"en": "An answer is required.", "fr": "Une réponse est obligatoire."},
    "constraint": {"en": "This answer is not allowed.", "fr": "Cette réponse n'est pas permise."},
    "no_dont_know": {
        "en": "'Don't know' is not accepted for this question.",
        "fr": "« Ne sait pas » n'est pas accepté pour cette question.",
    },
    "no_refused": {
        "en": "'Refused' is not accepted for this question.",
        "fr": "« Refus » n'est pas accepté pour cette question.",
    },
    "age_range": {
        "en": "Enter an age between 0 and 120.",
        "fr": "Saisissez un âge entre 0 et 120.",
    },
    # -- moving around ----------------------------------------------------------------------
    "unknown_question": {
        "en": "There is no question '{name}'.",
        "fr": "Il n'y a pas de question « {name} ».",
    },
    "not_asked": {
        "en": "'{name}' is not asked here (its conditions are not met, or no such member).",
        "fr": "« {name} » n'est pas posée ici (conditions non remplies, ou membre inexistant).",
    },
    "at_start": {"en": "This is the first question.", "fr": "C'est la première question."},
    "interview_over": {
        "en": "The interview has ended ({status}).",
        "fr": "L'entretien est terminé ({status}).",
    },
    "complete": {
        "en": "The interview is complete: go back or go to a question to change an answer.",
        "fr": "L'entretien est complet : revenez en arrière ou allez à une question"
        " pour modifier une réponse.",
    },
    "counted_roster": {
        "en": "The members of '{name}' follow an earlier answer: change that answer instead.",
        "fr": "Les membres de « {name} » suivent une réponse précédente : modifiez-la plutôt.",
    },
    "no_member": {
        "en": "Roster '{name}' has no member {member}.",
        "fr": "La liste « {name} » n'a pas de membre {member}.",
    },
    "not_roster": {"en": "'{name}' is not a roster.", "fr": "« {name} » n'est pas une liste."},
    "roster_full": {
        "en": "Roster '{name}' cannot have more than {limit} members.",
        "fr": "La liste « {name} » ne peut pas dépasser {limit} membres.",
    },
    "consent_first": {
        "en": "Consent comes first: finish the screening and consent questions.",
        "fr": "Le consentement d'abord : terminez le filtrage et le consentement.",
    },
    "consent_final": {
        "en": "Consent is recorded and cannot be changed.",
        "fr": "Le consentement est enregistré et ne peut pas être modifié.",
    },
    # -- the consent block ------------------------------------------------------------------
    "yes": {"en": "Yes", "fr": "Oui"},
    "no": {"en": "No", "fr": "Non"},
    "no_guardian": {
        "en": "No parent or guardian is available",
        "fr": "Aucun parent ni tuteur n'est disponible",
    },
    "respondent_age": {
        "en": "How old is the respondent (completed years)?",
        "fr": "Quel âge a la personne interrogée (années révolues) ?",
    },
    "exception": {
        "en": "Which documented exception allows the interview without guardian consent?",
        "fr": "Quelle exception prévue permet l'entretien sans consentement du tuteur ?",
    },
    "exception_reason": {
        "en": "Why does this exception apply?",
        "fr": "Pourquoi cette exception s'applique-t-elle ?",
    },
    "exception_note": {
        "en": "Anything more about why (optional; kept sealed, never shown again)",
        "fr": "Autre précision sur la raison (facultatif ; gardée scellée, jamais réaffichée)",
    },
    "supervisor": {
        "en": "Staff code of the supervisor who approved the exception (a code, not a name)",
        "fr": "Code du superviseur qui a approuvé l'exception (un code, pas un nom)",
    },
    "staff_code": {
        "en": "Give a staff code such as S03: letters, digits, '-', '_' or '.', no spaces.",
        "fr": "Donnez un code tel que S03 : lettres, chiffres, « - », « _ » ou « . », sans espace.",
    },
    "others_present": {
        "en": "Who else was present during the interview?",
        "fr": "Qui d'autre était présent pendant l'entretien ?",
    },
    "present.nobody": {"en": "Nobody", "fr": "Personne"},
    "present.parent": {"en": "Parent or guardian", "fr": "Parent ou tuteur"},
    "present.other_family": {"en": "Other family member", "fr": "Autre membre de la famille"},
    "present.employer": {"en": "Employer", "fr": "Employeur"},
    "present.other": {"en": "Someone else", "fr": "Une autre personne"},
    "interview_language": {
        "en": "Language of the interview",
        "fr": "Langue de l'entretien",
    },
    "add_member": {
        "en": "{label}: add a member? ({count} so far)",
        "fr": "{label} : ajouter un membre ? ({count} pour l'instant)",
    },
    "add_yes": {"en": "Yes, add a member", "fr": "Oui, ajouter un membre"},
    "add_no": {"en": "No, the list is complete", "fr": "Non, la liste est complète"},
    # -- what an action would destroy, asked before it is done --------------------------------
    "member_n": {"en": "member {index}", "fr": "membre {index}"},
    "answers_1": {"en": "the answer given for them", "fr": "la réponse donnée pour ce membre"},
    "answers_n": {"en": "the {count} answers given for them", "fr": "les {count} réponses données"},
    "removes": {
        "en": "This removes {who} from '{roster}', with {answers}.",
        "fr": "Cela retire {who} de « {roster} », avec {answers}.",
    },
    "clears_1": {
        "en": "This deletes 1 answer that would no longer apply: {names}.",
        "fr": "Cela efface 1 réponse qui ne s'appliquerait plus : {names}.",
    },
    "clears_n": {
        "en": "This deletes {count} answers that would no longer apply: {names}.",
        "fr": "Cela efface {count} réponses qui ne s'appliqueraient plus : {names}.",
    },
    "and_more": {"en": "and {count} more", "fr": "et {count} autres"},
    "withdraws_1": {
        "en": "The respondent withdraws: the interview ends now as refused, the answer given so"
        " far is deleted, and only the refusal is kept.",
        "fr": "La personne se retire : l'entretien s'arrête maintenant comme un refus, la réponse"
        " déjà donnée est effacée et seul le refus est conservé.",
    },
    "withdraws": {
        "en": "The respondent withdraws: the interview ends now as refused, the {count} answers"
        " given so far are deleted, and only the refusal is kept.",
        "fr": "La personne se retire : l'entretien s'arrête maintenant comme un refus, les"
        " {count} réponses déjà données sont effacées et seul le refus est conservé.",
    },
    "withdraws_consent": {
        "en": "The respondent withdraws: the interview ends now as refused, and only the"
        " refusal is kept.",
        "fr": "La personne se retire : l'entretien s'arrête maintenant comme un refus, et seul"
        " le refus est conservé.",
    },
    "check_for": {"en": "{who}: {message}", "fr": "{who} : {message}"},
    # -- special answers --------------------------------------------------------------------
    "dont_know": {"en": "Don't know", "fr": "Ne sait pas"},
    "refused": {"en": "Refused", "fr": "Refus"},
}

for _key, _text in ARABIC.items():  # the Arabic catalogue lives in its own module
    _TEXTS[_key]["ar"] = _text

LANGUAGE_NAMES: Final[Mapping[str, str]] = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "pt": "Português",
    "ar": "العربية",
    "sw": "Kiswahili",
    "ha": "Hausa",
    "wo": "Wolof",
    "bm": "Bamanankan",
}

# Typed answers with a meaning of their own, in any session language (lower case): the keys
# shown on screen, and the words they stand for. None is all digits, as choice keys are.
DONT_KNOW_KEY: Final = "dk"
REFUSED_KEY: Final = "rf"
DONT_KNOW_WORDS: Final = frozenset(
    {DONT_KNOW_KEY, "don't know", "dont know", "nsp", "ne sait pas", "ne sais pas"}
)
REFUSED_WORDS: Final = frozenset({REFUSED_KEY, "refused", "refuse", "refus", "refusé", "refusée"})
YES_WORDS: Final = frozenset({"y", "yes", "o", "oui"})
NO_WORDS: Final = frozenset({"n", "no", "non"})


def say(key: str, language: str, **values: object) -> str:
    """The engine text ``key`` in ``language`` (English if not translated)."""
    texts = _TEXTS[key]
    template = texts.get(language) or texts[FALLBACK]
    return template.format(**values) if values else template


def localized(text: Mapping[str, str], language: str, default: str = FALLBACK) -> str:
    """A form or protocol text in ``language``, else the default language, else any."""
    found = text.get(language) or text.get(default)
    if found:
        return found
    return next(iter(text.values()), "")


def answer_error(code: str, key: str, language: str, **values: object) -> AnswerError:
    return AnswerError(say(key, language, **values), code=code)


def consent_error(code: str, key: str, language: str, **values: object) -> FieldkitError:
    return ConsentError(say(key, language, **values), code=code)
