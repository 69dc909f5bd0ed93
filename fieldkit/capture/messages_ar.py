"""The engine's own words in Arabic (Modern Standard), merged into ``messages``.

Kept apart so the English and French catalogue reads as before. A careful translation made
without a native speaker: to be reviewed by one before fieldwork, like the instruments'.
"""

from __future__ import annotations

from typing import Final

__all__ = ["ARABIC"]

ARABIC: Final[dict[str, str]] = {
    "integer": "أدخل عددًا صحيحًا.",
    "decimal": "أدخل عددًا.",
    "date": "أدخل تاريخًا بالصيغة YYYY-MM-DD.",
    "time": "أدخل وقتًا بالصيغة HH:MM.",
    "datetime": "أدخل تاريخًا ووقتًا بالصيغة YYYY-MM-DD HH:MM.",
    "geopoint": "أدخل موقعًا: «خط العرض خط الطول [الارتفاع الدقة]».",
    "text": "أدخل نصًا.",
    "choice": "«{token}» ليس من الخيارات: اكتب رقم أحد الخيارات أو رمزه.",
    "hidden_choice": "«{token}» لا ينطبق بناءً على الإجابات السابقة.",
    "exclusive": "لا يمكن الجمع بين «{token}» وخيارات أخرى.",
    "required": "الإجابة مطلوبة.",
    "constraint": "هذه الإجابة غير مسموح بها.",
    "no_dont_know": "«لا أعرف» غير مقبولة لهذا السؤال.",
    "no_refused": "«رفض الإجابة» غير مقبول لهذا السؤال.",
    "age_range": "أدخل عمرًا بين 0 و120.",
    "unknown_question": "لا يوجد سؤال «{name}».",
    "not_asked": "السؤال «{name}» لا يُطرح هنا (شروطه غير مستوفاة، أو لا يوجد هذا الفرد).",
    "at_start": "هذا هو السؤال الأول.",
    "interview_over": "انتهت المقابلة ({status}).",
    "complete": "اكتملت المقابلة: ارجع أو انتقل إلى سؤال لتعديل إجابة.",
    "counted_roster": "أفراد «{name}» يتبعون إجابة سابقة: عدِّل تلك الإجابة بدلًا من ذلك.",
    "no_member": "لا يوجد في القائمة «{name}» الفرد {member}.",
    "not_roster": "«{name}» ليست قائمة أفراد.",
    "roster_full": "لا يمكن أن تضم القائمة «{name}» أكثر من {limit} فردًا.",
    "consent_first": "الموافقة أولًا: أكمل أسئلة الفحص والموافقة.",
    "consent_final": "سُجِّلت الموافقة ولا يمكن تغييرها.",
    "yes": "نعم",
    "no": "لا",
    "no_guardian": "لا يوجد أحد الوالدين أو وصيّ متاح",
    "respondent_age": "كم عمر المستجيب (بالسنوات الكاملة)؟",
    "exception": "أي استثناء موثَّق يسمح بالمقابلة دون موافقة الوصي؟",
    "exception_reason": "لماذا ينطبق هذا الاستثناء؟",
    "supervisor": "اسم المشرف الذي وافق على الاستثناء",
    "others_present": "من كان حاضرًا أيضًا أثناء المقابلة؟",
    "present.nobody": "لا أحد",
    "present.parent": "أحد الوالدين أو الوصي",
    "present.other_family": "فرد آخر من الأسرة",
    "present.employer": "صاحب العمل",
    "present.other": "شخص آخر",
    "interview_language": "لغة المقابلة",
    "add_member": "{label}: إضافة فرد؟ ({count} حتى الآن)",
    "add_yes": "نعم، أضف فردًا",
    "add_no": "لا، القائمة مكتملة",
    "dont_know": "لا أعرف",
    "refused": "رفض الإجابة",
}
