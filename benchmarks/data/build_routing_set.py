"""Write ``routing_petitions.jsonl`` from the hand-written bases (``routing_base.py``) and the
mixed-language ones below: ``python -m benchmarks.data.build_routing_set``.

Every base gets a re-worded variant (a greeting, a closing, another subject) filed by another
citizen about the same problem, and one base in three a follow-up by the same citizen; both are
labelled duplicates of the base. ``group`` ties a base to its variants: the benchmark's
held-out split never puts near-copies on both sides, and two petitions are duplicates exactly
when they share a group.
"""

from __future__ import annotations

import json
import os
import random

from benchmarks.data.routing_base import BASE

# Tunisians write in darija with French words, or French with Arabic ones.
MIXED = [
    ("gov-sfax", "الماء مقطوع و la SONEDE ما تجاوبش", "عندنا trois jours بلا ماء في حي الربض، appelé الصوناد برشا مرات و حتى حد ما جاء."),
    ("gov-sfax", "Coupure STEG ككل ليلة", "Chaque nuit الضو يقص vers 21h à Sakiet Eddaier, les frigos ماعادش يخدمو."),
    ("mun-sfax", "Les poubelles متاع الحومة", "Les poubelles ما تهزوش depuis une semaine قدام الدار، الريحة تقتل و les chats partout."),
    ("mun-sfax", "Trou كبير في الكياس", "Il y a un trou énorme في الكياس قدام la pharmacie، برشا كراهب طاحو فيه."),
    ("mun-sfax", "Extrait de naissance فيه غلطة", "L'état civil بالبلدية عطاني extrait فيه اسم أمي غالط، نحب نصلحو pour le passeport."),
    ("gov-tunis", "Le métro 4 ديما retard", "Le métro ligne 4 يفوت ساعة retard كل صباح، نوصل للخدمة متأخر و le patron يخصم."),
    ("gov-tunis", "Coupure d'eau بالمنار", "Pas d'eau بالمنار 2 depuis hier, la SONEDE قالو casse mais حتى info رسمية."),
    ("gov-tunis", "Les vendeurs ambulants سكرو الكياس", "Autour de Bab Alioua, les marchands سكرو الطريق و l'ambulance ما نجمتش تتعدى."),
    ("min-health", "Les urgences بصفاقس", "Stanna 6 heures aux urgences متاع الحبيب بورقيبة و حتى médecin ما شافني، ولدي كان سخون برشا."),
    ("min-health", "Dwa السكري مفقود", "L'insuline مافماش في le dispensaire متاع الحومة depuis un mois، نشريو من الصيدلية بفلوسنا."),
    ("min-health", "Rendez-vous بعيد برشا", "عطاوني rendez-vous en ophtalmologie بعد 9 mois، عيني تتعب كل نهار."),
    ("min-education", "Prof de math ما جاش", "Les élèves متاع le bac بلا prof de maths من la rentrée، و الامتحانات قربت."),
    ("min-education", "La bourse scolaire ما خرجتش", "Wildi inscrit pour la bourse و حتى مليم ما وصلنا cette année."),
    ("min-education", "Cantine مسكرة", "La cantine scolaire مسكرة و الصغار اللي جايين من بعيد يقعدو بلا ماكلة."),
    ("min-finance", "Vignette خلصتها و قالولي لا", "خلصت la vignette en ligne، الفلوس تنحاو من الكارطة أما la recette تقول ما خلصتش."),
    ("min-finance", "Remboursement d'impôt مازال", "Demande de restitution متاع الأداء déposée من عام و نص و حتى رد."),
    ("min-finance", "La douane حجزت colis", "Colis فيه دواء لأمي bloqué في الديوانة و يطلبو droits كبار برشا."),
    ("bcrc", "Personne ما جاوبني", "بعثت réclamation لبرشا إدارات و كل وحدة تبعثني للأخرى، حتى حد ما جاوب."),
    ("bcrc", "Le site ما يخدمش", "Le portail des requêtes يعطي erreur كل مرة نحب نبعث pièce jointe."),
    ("anti-corruption-unit", "Agent طلب مني فلوس", "L'agent قالي إذا تحب الملف يمشي لازم \"قهوة\"، يعني رشوة، et il a refusé de me donner son nom."),
    ("anti-corruption-unit", "Concours مبيوع", "Le concours متاع الانتداب الكل أقارب المدير نجحو، و احنا حتى entretien ما عملنا."),
]

OPENINGS = {
    "ar": ["السلام عليكم، ", "سيدي المسؤول المحترم، ", "تحية طيبة وبعد، ", "أتوجه إليكم بهذه الشكوى: ", ""],
    "fr": ["Bonjour, ", "Monsieur le Directeur, ", "Madame, Monsieur, ", "Je me permets de vous écrire car ", ""],
}
CLOSINGS = {
    "ar": [" وشكرا.", " الرجاء التدخل في أقرب الآجال.", " أرجو إيجاد حل عاجل.", " مع فائق الاحترام.", ""],
    "fr": [" Merci d'avance.", " Je compte sur votre intervention rapide.", " Cordialement.", " C'est inadmissible.", ""],
}
FOLLOW_UPS = {
    "ar": ["تذكير: ", "للمرة الثانية: ", "متابعة عريضتي: "],
    "fr": ["Relance : ", "Deuxième réclamation : ", "Rappel : "],
}
FOLLOW_UP_BODY = {
    "ar": "سبق أن راسلتكم في هذا الموضوع ولم يتغير شيء. ",
    "fr": "Je vous ai déjà écrit à ce sujet et rien n'a changé. ",
}
TYPES = ["complaint", "complaint", "complaint", "inquiry", "guidance", "suggestion"]


def language(text: str) -> str:
    arabic = sum("\u0600" <= ch <= "\u06ff" for ch in text)
    latin = sum(ch.isascii() and ch.isalpha() for ch in text)
    if arabic and latin and min(arabic, latin) / max(arabic, latin) > 0.15:
        return "mixed"
    return "ar" if arabic > latin else "fr"


def build(seed: int = 8) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    citizen = iter(range(1, 100_000))

    def add(group: int, body: str, subject: str, description: str, who: int, duplicate_of: int | None = None) -> int:
        kind = "corruption" if body == "anti-corruption-unit" else rng.choice(TYPES)
        rows.append({
            "id": len(rows) + 1, "group": group, "body": body, "type": kind, "citizen": who,
            "language": language(subject + description), "subject": subject, "description": description,
            "duplicate_of": duplicate_of,
        })
        return len(rows)

    for group, (body, subject, description) in enumerate(BASE + MIXED, start=1):
        lang = "ar" if language(subject + description) == "ar" else "fr"
        author = next(citizen)
        first = add(group, body, subject, description, author)
        # Another citizen, same problem at the same place, reworded: a duplicate "on the same subject".
        sentences = [s for s in description.replace("،", ".").split(".") if s.strip()]
        reworded = rng.choice(OPENINGS[lang]) + description + rng.choice(CLOSINGS[lang])
        variant_subject = sentences[0].strip()[:80] if len(sentences) > 1 else subject
        add(group, body, variant_subject, reworded, next(citizen), duplicate_of=first)
        if group % 3 == 0:
            # The same citizen again, weeks later: a duplicate to merge.
            follow = FOLLOW_UPS[lang][group % len(FOLLOW_UPS[lang])] + subject
            add(group, body, follow, FOLLOW_UP_BODY[lang] + sentences[0].strip() + ".", author, duplicate_of=first)
    return rows


def main() -> None:
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "routing_petitions.jsonl")
    rows = build()
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} petitions, {sum(1 for r in rows if r['duplicate_of'])} duplicate pairs -> {path}")


if __name__ == "__main__":
    main()
