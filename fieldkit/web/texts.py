"""The web form's own words (buttons, headings, notices) in English, French and Arabic.

Form texts come from the instrument and the protocol, and the engine's (its questions of the
consent block, its error messages) from ``fieldkit.capture.messages``; these are only the
page's. The Arabic needs review by a native speaker before fieldwork, like the instrument's.
"""

from __future__ import annotations

from typing import Final

from fieldkit.capture.messages import LANGUAGE_NAMES

__all__ = ["RTL_LANGUAGES", "UI_LANGUAGES", "direction", "language_name", "words"]

RTL_LANGUAGES: Final = frozenset({"ar", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"})
"""Languages written right to left: their pages get ``dir="rtl"``."""

_WORDS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "title": "fieldkit interview",
        "unlock": "Open the laptop store",
        "unlock_button": "Open",
        "passphrase": "Passphrase of the laptop store",
        "new_store": (
            "This laptop has no store yet: choose its passphrase. Nobody can recover a "
            "forgotten passphrase, and the interviews not yet sent would be lost."
        ),
        "new_passphrase": "New passphrase for the laptop store",
        "passphrase_again": "The same passphrase again",
        "passphrases_differ": "The two passphrases differ: type them again.",
        "enumerator": "Enumerator code",
        "screen_language": "Language of these screens",
        "new_interview": "New interview",
        "instrument": "Questionnaire",
        "language": "Language of the interview",
        "start": "Start the interview",
        "drafts": "Unfinished interviews",
        "no_drafts": "No unfinished interview on this laptop.",
        "unit": "Identifier",
        "started": "Started",
        "progress": "Progress",
        "resume": "Resume",
        "today": "Today's interviews",
        "no_today": "No interview started today.",
        "status": "Status",
        "home": "Home",
        "continue": "Continue",
        "back": "Back",
        "review": "Review the answers",
        "dont_know": "Don't know",
        "refused": "Refused",
        "clear": "Clear this answer",
        "withdraw": "The respondent withdraws",
        "finish": "Finish and save the interview",
        "change": "Change",
        "consent": "Consent and safety",
        "member_of": "{label}: member {index} of {total}",
        "percent_done": "{percent}% done",
        "hidden_answer": "Answer given and kept secret. Leave empty to keep it.",
        "optional": "Optional: leave empty to skip.",
        "members": "Members",
        "member": "Member {index}",
        "remove": "Remove",
        "remove_question": "Remove member {index} of “{label}” with all their answers?",
        "remove_yes": "Yes, remove this member",
        "cancel": "Cancel",
        "confirm_yes": "Yes, go on",
        "withdraw_question": (
            "The respondent withdraws: every answer of this interview is deleted and only"
            " the refusal is kept. End the interview?"
        ),
        "withdraw_yes": "Yes, end the interview",
        "complete_saved": "The interview is complete and saved.",
        "ended_refused": "The interview has ended: only the refusal is kept.",
        "ended_stopped": (
            "Stopped by the safety screen: only that is kept. Follow the referral protocol."
        ),
        "all_answered": "Every question is answered. Check the answers, then finish.",
        "answers_so_far": "Answers so far",
        "no_answers": "No answer yet.",
        "keys_help": "Number keys pick a choice; Enter continues.",
        "question": "Question",
        "answer": "Answer",
        "not_found": "Not found",
        "problem": "Something needs attention",
        "draft": "unfinished",
        "complete": "complete",
        "refused_status": "refused",
        "stopped": "stopped",
        "consent_pending": "consent not finished",
        "outside_window": (
            "Now is outside this study's collection windows: check with your supervisor"
            " before interviewing."
        ),
    },
    "fr": {
        "title": "Entretien fieldkit",
        "unlock": "Ouvrir la base de l'ordinateur",
        "unlock_button": "Ouvrir",
        "passphrase": "Phrase secrète de la base",
        "new_store": (
            "Cet ordinateur n'a pas encore de base : choisissez sa phrase secrète. Personne "
            "ne peut retrouver une phrase secrète oubliée, et les entretiens pas encore "
            "envoyés seraient perdus."
        ),
        "new_passphrase": "Nouvelle phrase secrète de la base",
        "passphrase_again": "La même phrase secrète, à nouveau",
        "passphrases_differ": "Les deux phrases secrètes diffèrent : saisissez-les à nouveau.",
        "enumerator": "Code de l'enquêteur",
        "screen_language": "Langue de ces écrans",
        "new_interview": "Nouvel entretien",
        "instrument": "Questionnaire",
        "language": "Langue de l'entretien",
        "start": "Commencer l'entretien",
        "drafts": "Entretiens inachevés",
        "no_drafts": "Aucun entretien inachevé sur cet ordinateur.",
        "unit": "Identifiant",
        "started": "Commencé",
        "progress": "Avancement",
        "resume": "Reprendre",
        "today": "Entretiens du jour",
        "no_today": "Aucun entretien commencé aujourd'hui.",
        "status": "État",
        "home": "Accueil",
        "continue": "Continuer",
        "back": "Retour",
        "review": "Relire les réponses",
        "dont_know": "Ne sait pas",
        "refused": "Refus",
        "clear": "Effacer cette réponse",
        "withdraw": "La personne se retire",
        "finish": "Terminer et enregistrer l'entretien",
        "change": "Modifier",
        "consent": "Consentement et sécurité",
        "member_of": "{label} : membre {index} sur {total}",
        "percent_done": "{percent} % fait",
        "hidden_answer": "Réponse donnée et tenue secrète. Laisser vide pour la garder.",
        "optional": "Facultatif : laisser vide pour passer.",
        "members": "Membres",
        "member": "Membre {index}",
        "remove": "Retirer",
        "remove_question": "Retirer le membre {index} de « {label} » avec toutes ses réponses ?",
        "remove_yes": "Oui, retirer ce membre",
        "cancel": "Annuler",
        "confirm_yes": "Oui, continuer",
        "withdraw_question": (
            "La personne se retire : toutes les réponses de cet entretien sont effacées et"
            " seul le refus est gardé. Mettre fin à l'entretien ?"
        ),
        "withdraw_yes": "Oui, mettre fin à l'entretien",
        "complete_saved": "L'entretien est complet et enregistré.",
        "ended_refused": "L'entretien est terminé : seul le refus est gardé.",
        "ended_stopped": (
            "Arrêté par le filtrage de sécurité : seul cela est gardé. Suivez le protocole"
            " d'orientation."
        ),
        "all_answered": "Toutes les questions ont une réponse. Relisez, puis terminez.",
        "answers_so_far": "Réponses données",
        "no_answers": "Aucune réponse pour l'instant.",
        "keys_help": "Les chiffres choisissent une réponse ; Entrée continue.",
        "question": "Question",
        "answer": "Réponse",
        "not_found": "Introuvable",
        "problem": "Un point demande votre attention",
        "draft": "inachevé",
        "complete": "complet",
        "refused_status": "refusé",
        "stopped": "arrêté",
        "consent_pending": "consentement non terminé",
        "outside_window": (
            "Nous sommes hors des périodes de collecte de l'étude : voyez votre superviseur"
            " avant d'interroger."
        ),
    },
    # Arabic (Modern Standard): to be reviewed by a native speaker before fieldwork.
    "ar": {
        "title": "مقابلة fieldkit",
        "unlock": "فتح قاعدة بيانات الحاسوب",
        "unlock_button": "فتح",
        "passphrase": "عبارة المرور لقاعدة البيانات",
        "new_store": (
            "لا توجد قاعدة بيانات على هذا الحاسوب بعد: اختر عبارة المرور الخاصة بها. لا يمكن "
            "لأحد استعادة عبارة مرور منسية، وستضيع المقابلات التي لم تُرسل بعد."
        ),
        "new_passphrase": "عبارة مرور جديدة لقاعدة البيانات",
        "passphrase_again": "عبارة المرور نفسها مرة أخرى",
        "passphrases_differ": "عبارتا المرور مختلفتان: اكتبهما مرة أخرى.",
        "enumerator": "رمز الباحث الميداني",
        "screen_language": "لغة هذه الشاشات",
        "new_interview": "مقابلة جديدة",
        "instrument": "الاستبيان",
        "language": "لغة المقابلة",
        "start": "بدء المقابلة",
        "drafts": "مقابلات غير مكتملة",
        "no_drafts": "لا توجد مقابلة غير مكتملة على هذا الحاسوب.",
        "unit": "المعرّف",
        "started": "بدأت",
        "progress": "التقدّم",
        "resume": "متابعة",
        "today": "مقابلات اليوم",
        "no_today": "لم تبدأ أي مقابلة اليوم.",
        "status": "الحالة",
        "home": "الصفحة الرئيسية",
        "continue": "متابعة",
        "back": "رجوع",
        "review": "مراجعة الإجابات",
        "dont_know": "لا أعرف",
        "refused": "رفض الإجابة",
        "clear": "مسح هذه الإجابة",
        "withdraw": "المستجيب ينسحب",
        "finish": "إنهاء المقابلة وحفظها",
        "change": "تعديل",
        "consent": "الموافقة والسلامة",
        "member_of": "{label}: الفرد {index} من {total}",
        "percent_done": "أُنجز {percent}٪",
        "hidden_answer": "أُعطيت الإجابة وهي محفوظة بسرية. اتركه فارغًا للإبقاء عليها.",
        "optional": "اختياري: اتركه فارغًا للتخطي.",
        "members": "الأفراد",
        "member": "الفرد {index}",
        "remove": "حذف",
        "remove_question": "حذف الفرد {index} من «{label}» مع جميع إجاباته؟",
        "remove_yes": "نعم، احذف هذا الفرد",
        "cancel": "إلغاء",
        "confirm_yes": "نعم، تابِع",
        "withdraw_question": (
            "المستجيب ينسحب: تُحذف جميع إجابات هذه المقابلة ولا يُحفظ إلا الرفض."
            " هل تريد إنهاء المقابلة؟"
        ),
        "withdraw_yes": "نعم، أنهِ المقابلة",
        "complete_saved": "اكتملت المقابلة وحُفظت.",
        "ended_refused": "انتهت المقابلة: لا يُحفظ إلا الرفض.",
        "ended_stopped": "أوقفها فحص السلامة: لا يُحفظ إلا ذلك. اتّبع بروتوكول الإحالة.",
        "all_answered": "تمت الإجابة عن جميع الأسئلة. راجع الإجابات ثم أنهِ المقابلة.",
        "answers_so_far": "الإجابات حتى الآن",
        "no_answers": "لا توجد إجابة بعد.",
        "keys_help": "أزرار الأرقام تختار إجابة، وزر الإدخال للمتابعة.",
        "question": "السؤال",
        "answer": "الإجابة",
        "not_found": "غير موجود",
        "problem": "أمر يحتاج إلى انتباهك",
        "draft": "غير مكتملة",
        "complete": "مكتملة",
        "refused_status": "مرفوضة",
        "stopped": "موقوفة",
        "consent_pending": "الموافقة غير مكتملة",
        "outside_window": (
            "الوقت الحالي خارج فترات جمع البيانات لهذه الدراسة: راجع مشرفك قبل إجراء المقابلة."
        ),
    },
}

UI_LANGUAGES: Final = tuple(_WORDS)


def words(language: str) -> dict[str, str]:
    """The page's words in ``language`` (English where there is no translation)."""
    return _WORDS.get(language, _WORDS["en"])


def direction(language: str) -> str:
    return "rtl" if language in RTL_LANGUAGES else "ltr"


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)
