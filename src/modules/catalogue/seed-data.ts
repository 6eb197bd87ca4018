/**
 * The words of the demo catalogue (seed.ts puts them together): specialities, hospitals,
 * Indonesian names, article topics and shop products. Plain data, no logic.
 */

export interface SpecialitySeed {
  slug: string;
  name: string;
  description: string;
  /** What "about" calls the doctor: "dokter spesialis anak". */
  role: string;
  /** "dr." or, for dentists, "drg.". */
  prefix: 'dr.' | 'drg.';
  /** The title after the name ("Sp.A"); null for general practitioners and dentists. */
  title: string | null;
  /** Range of the in-person (reservasi) price, in rupiah. */
  price: readonly [number, number];
  /** What the doctor's "about" says they handle. */
  focus: readonly string[];
  /** Relative share of the doctors. */
  weight: number;
}

export const SPECIALITIES: readonly SpecialitySeed[] = [
  {
    slug: 'dokter-umum',
    name: 'Dokter Umum',
    description: 'Pemeriksaan kesehatan umum, keluhan sehari-hari, dan rujukan ke dokter spesialis bila diperlukan.',
    role: 'dokter umum',
    prefix: 'dr.',
    title: null,
    price: [50000, 100000],
    focus: ['demam', 'batuk dan pilek', 'pemeriksaan kesehatan berkala', 'keluhan pencernaan ringan', 'luka ringan'],
    weight: 6,
  },
  {
    slug: 'anak',
    name: 'Anak',
    description: 'Kesehatan bayi, anak, dan remaja: tumbuh kembang, imunisasi, gizi, dan penyakit pada anak.',
    role: 'dokter spesialis anak',
    prefix: 'dr.',
    title: 'Sp.A',
    price: [100000, 250000],
    focus: ['tumbuh kembang anak', 'imunisasi', 'demam pada anak', 'alergi makanan', 'diare pada anak'],
    weight: 5,
  },
  {
    slug: 'penyakit-dalam',
    name: 'Penyakit Dalam',
    description: 'Penyakit organ dalam pada orang dewasa, seperti diabetes, hipertensi, dan gangguan pencernaan.',
    role: 'dokter spesialis penyakit dalam',
    prefix: 'dr.',
    title: 'Sp.PD',
    price: [125000, 300000],
    focus: ['diabetes melitus', 'hipertensi', 'gangguan lambung', 'penyakit ginjal', 'demam tifoid'],
    weight: 5,
  },
  {
    slug: 'kandungan',
    name: 'Kandungan dan Kebidanan',
    description: 'Kehamilan, persalinan, program hamil, dan kesehatan reproduksi wanita.',
    role: 'dokter spesialis kandungan dan kebidanan',
    prefix: 'dr.',
    title: 'Sp.OG',
    price: [150000, 350000],
    focus: ['pemeriksaan kehamilan', 'USG kehamilan', 'program hamil', 'gangguan haid', 'persiapan persalinan'],
    weight: 4,
  },
  {
    slug: 'jantung',
    name: 'Jantung dan Pembuluh Darah',
    description: 'Penyakit jantung koroner, gangguan irama jantung, gagal jantung, dan hipertensi.',
    role: 'dokter spesialis jantung dan pembuluh darah',
    prefix: 'dr.',
    title: 'Sp.JP',
    price: [150000, 350000],
    focus: ['penyakit jantung koroner', 'gangguan irama jantung', 'gagal jantung', 'hipertensi', 'kolesterol tinggi'],
    weight: 3,
  },
  {
    slug: 'saraf',
    name: 'Saraf',
    description: 'Stroke, sakit kepala, vertigo, epilepsi, dan gangguan sistem saraf lainnya.',
    role: 'dokter spesialis saraf',
    prefix: 'dr.',
    title: 'Sp.N',
    price: [150000, 300000],
    focus: ['stroke', 'migrain', 'vertigo', 'epilepsi', 'saraf terjepit'],
    weight: 3,
  },
  {
    slug: 'kulit-kelamin',
    name: 'Kulit dan Kelamin',
    description: 'Masalah kulit, rambut, dan kuku, serta infeksi menular seksual.',
    role: 'dokter spesialis kulit dan kelamin',
    prefix: 'dr.',
    title: 'Sp.KK',
    price: [125000, 300000],
    focus: ['jerawat', 'dermatitis', 'infeksi jamur kulit', 'alergi kulit', 'cacar air'],
    weight: 3,
  },
  {
    slug: 'mata',
    name: 'Mata',
    description: 'Gangguan penglihatan dan penyakit mata, dari mata minus hingga katarak dan glaukoma.',
    role: 'dokter spesialis mata',
    prefix: 'dr.',
    title: 'Sp.M',
    price: [125000, 300000],
    focus: ['katarak', 'mata minus', 'glaukoma', 'mata merah', 'mata kering'],
    weight: 3,
  },
  {
    slug: 'tht',
    name: 'Telinga, Hidung, dan Tenggorokan',
    description: 'Gangguan telinga, hidung, tenggorokan, serta kepala dan leher.',
    role: 'dokter spesialis THT',
    prefix: 'dr.',
    title: 'Sp.THT-KL',
    price: [125000, 300000],
    focus: ['sinusitis', 'radang amandel', 'gangguan pendengaran', 'telinga berdengung', 'mimisan'],
    weight: 2,
  },
  {
    slug: 'bedah-umum',
    name: 'Bedah Umum',
    description: 'Tindakan bedah untuk usus buntu, hernia, benjolan, batu empedu, dan luka.',
    role: 'dokter spesialis bedah',
    prefix: 'dr.',
    title: 'Sp.B',
    price: [150000, 350000],
    focus: ['usus buntu', 'hernia', 'benjolan di kulit', 'batu empedu', 'perawatan luka'],
    weight: 2,
  },
  {
    slug: 'ortopedi',
    name: 'Ortopedi dan Traumatologi',
    description: 'Tulang, sendi, otot, dan cedera olahraga.',
    role: 'dokter spesialis ortopedi',
    prefix: 'dr.',
    title: 'Sp.OT',
    price: [150000, 350000],
    focus: ['patah tulang', 'cedera olahraga', 'nyeri lutut', 'osteoporosis', 'skoliosis'],
    weight: 2,
  },
  {
    slug: 'kedokteran-jiwa',
    name: 'Kedokteran Jiwa',
    description: 'Kesehatan mental: kecemasan, depresi, gangguan tidur, dan gangguan jiwa lainnya.',
    role: 'dokter spesialis kedokteran jiwa',
    prefix: 'dr.',
    title: 'Sp.KJ',
    price: [150000, 350000],
    focus: ['gangguan kecemasan', 'depresi', 'gangguan tidur', 'stres kerja', 'gangguan bipolar'],
    weight: 2,
  },
  {
    slug: 'paru',
    name: 'Paru',
    description: 'Penyakit paru dan saluran napas seperti asma, tuberkulosis, dan PPOK.',
    role: 'dokter spesialis paru',
    prefix: 'dr.',
    title: 'Sp.P',
    price: [125000, 300000],
    focus: ['asma', 'tuberkulosis', 'PPOK', 'batuk kronis', 'pneumonia'],
    weight: 2,
  },
  {
    slug: 'urologi',
    name: 'Urologi',
    description: 'Saluran kemih dan organ reproduksi pria: batu ginjal, prostat, dan infeksi saluran kemih.',
    role: 'dokter spesialis urologi',
    prefix: 'dr.',
    title: 'Sp.U',
    price: [150000, 350000],
    focus: ['batu ginjal', 'pembesaran prostat', 'infeksi saluran kemih', 'gangguan berkemih'],
    weight: 1,
  },
  {
    slug: 'gizi-klinik',
    name: 'Gizi Klinik',
    description: 'Pengaturan gizi untuk berat badan, penyakit kronis, kehamilan, dan tumbuh kembang.',
    role: 'dokter spesialis gizi klinik',
    prefix: 'dr.',
    title: 'Sp.GK',
    price: [125000, 250000],
    focus: ['obesitas', 'diet diabetes', 'gizi kurang', 'nutrisi ibu hamil'],
    weight: 1,
  },
  {
    slug: 'rehabilitasi-medik',
    name: 'Kedokteran Fisik dan Rehabilitasi',
    description: 'Pemulihan fungsi gerak setelah cedera, stroke, atau operasi, dan nyeri otot serta sendi.',
    role: 'dokter spesialis kedokteran fisik dan rehabilitasi',
    prefix: 'dr.',
    title: 'Sp.KFR',
    price: [100000, 250000],
    focus: ['fisioterapi', 'pemulihan pascastroke', 'nyeri punggung bawah', 'cedera olahraga'],
    weight: 1,
  },
  {
    slug: 'gigi-umum',
    name: 'Dokter Gigi Umum',
    description: 'Pemeriksaan dan perawatan gigi dan mulut sehari-hari.',
    role: 'dokter gigi',
    prefix: 'drg.',
    title: null,
    price: [75000, 150000],
    focus: ['tambal gigi', 'pembersihan karang gigi', 'cabut gigi', 'gigi sensitif'],
    weight: 3,
  },
  {
    slug: 'ortodonti',
    name: 'Ortodonti',
    description: 'Merapikan susunan gigi dan rahang dengan kawat gigi atau aligner.',
    role: 'dokter gigi spesialis ortodonti',
    prefix: 'drg.',
    title: 'Sp.Ort',
    price: [150000, 350000],
    focus: ['kawat gigi', 'gigi berjejal', 'aligner', 'rahang tidak sejajar'],
    weight: 1,
  },
  {
    slug: 'konservasi-gigi',
    name: 'Konservasi Gigi',
    description: 'Perawatan saluran akar dan penambalan gigi yang rusak agar gigi tetap dapat dipertahankan.',
    role: 'dokter gigi spesialis konservasi gigi',
    prefix: 'drg.',
    title: 'Sp.KG',
    price: [150000, 300000],
    focus: ['perawatan saluran akar', 'tambal estetik', 'gigi berlubang dalam', 'gigi retak'],
    weight: 1,
  },
];

export type TimeZoneName = 'Asia/Jakarta' | 'Asia/Makassar' | 'Asia/Jayapura';

export interface HospitalSeed {
  name: string;
  address: string;
  city: string;
  province: string;
  timezone: TimeZoneName;
  /** Telephone area code, e.g. "021". */
  areaCode: string;
}

/** Twenty hospitals: WIB (Asia/Jakarta), WITA (Asia/Makassar) and WIT (Asia/Jayapura). */
export const HOSPITALS: readonly HospitalSeed[] = [
  {
    name: 'RS Harapan Sehat Jakarta',
    address: 'Jl. Fatmawati Raya No. 48, Cilandak',
    city: 'Jakarta Selatan',
    province: 'DKI Jakarta',
    timezone: 'Asia/Jakarta',
    areaCode: '021',
  },
  {
    name: 'RS Bunda Kasih Jakarta',
    address: 'Jl. Pemuda No. 12, Rawamangun',
    city: 'Jakarta Timur',
    province: 'DKI Jakarta',
    timezone: 'Asia/Jakarta',
    areaCode: '021',
  },
  {
    name: 'RS Medika Nusantara Bandung',
    address: 'Jl. Ir. H. Juanda No. 77, Coblong',
    city: 'Bandung',
    province: 'Jawa Barat',
    timezone: 'Asia/Jakarta',
    areaCode: '022',
  },
  {
    name: 'RS Permata Hati Surabaya',
    address: 'Jl. Raya Darmo No. 25, Wonokromo',
    city: 'Surabaya',
    province: 'Jawa Timur',
    timezone: 'Asia/Jakarta',
    areaCode: '031',
  },
  {
    name: 'RS Sentosa Semarang',
    address: 'Jl. Pandanaran No. 30, Semarang Tengah',
    city: 'Semarang',
    province: 'Jawa Tengah',
    timezone: 'Asia/Jakarta',
    areaCode: '024',
  },
  {
    name: 'RS Mitra Husada Yogyakarta',
    address: 'Jl. Kaliurang Km 5 No. 9, Sleman',
    city: 'Yogyakarta',
    province: 'DI Yogyakarta',
    timezone: 'Asia/Jakarta',
    areaCode: '0274',
  },
  {
    name: 'RS Cahaya Medika Medan',
    address: 'Jl. Gatot Subroto No. 120, Medan Petisah',
    city: 'Medan',
    province: 'Sumatera Utara',
    timezone: 'Asia/Jakarta',
    areaCode: '061',
  },
  {
    name: 'RS Sriwijaya Sehat Palembang',
    address: 'Jl. Jenderal Sudirman No. 88, Ilir Timur I',
    city: 'Palembang',
    province: 'Sumatera Selatan',
    timezone: 'Asia/Jakarta',
    areaCode: '0711',
  },
  {
    name: 'RS Andalas Medika Padang',
    address: 'Jl. Khatib Sulaiman No. 60, Padang Utara',
    city: 'Padang',
    province: 'Sumatera Barat',
    timezone: 'Asia/Jakarta',
    areaCode: '0751',
  },
  {
    name: 'RS Khatulistiwa Pontianak',
    address: 'Jl. Ahmad Yani No. 45, Pontianak Selatan',
    city: 'Pontianak',
    province: 'Kalimantan Barat',
    timezone: 'Asia/Jakarta',
    areaCode: '0561',
  },
  {
    name: 'RS Bakti Husada Malang',
    address: 'Jl. Ijen No. 15, Klojen',
    city: 'Malang',
    province: 'Jawa Timur',
    timezone: 'Asia/Jakarta',
    areaCode: '0341',
  },
  {
    name: 'RS Harapan Sehat Makassar',
    address: 'Jl. Urip Sumoharjo No. 101, Panakkukang',
    city: 'Makassar',
    province: 'Sulawesi Selatan',
    timezone: 'Asia/Makassar',
    areaCode: '0411',
  },
  {
    name: 'RS Dharma Usada Denpasar',
    address: 'Jl. Teuku Umar No. 88, Denpasar Barat',
    city: 'Denpasar',
    province: 'Bali',
    timezone: 'Asia/Makassar',
    areaCode: '0361',
  },
  {
    name: 'RS Borneo Medika Balikpapan',
    address: 'Jl. MT Haryono No. 21, Balikpapan Selatan',
    city: 'Balikpapan',
    province: 'Kalimantan Timur',
    timezone: 'Asia/Makassar',
    areaCode: '0542',
  },
  {
    name: 'RS Kasih Ibu Manado',
    address: 'Jl. Sam Ratulangi No. 33, Wenang',
    city: 'Manado',
    province: 'Sulawesi Utara',
    timezone: 'Asia/Makassar',
    areaCode: '0431',
  },
  {
    name: 'RS Rinjani Sehat Mataram',
    address: 'Jl. Pejanggik No. 17, Cakranegara',
    city: 'Mataram',
    province: 'Nusa Tenggara Barat',
    timezone: 'Asia/Makassar',
    areaCode: '0370',
  },
  {
    name: 'RS Flobamora Kupang',
    address: 'Jl. El Tari No. 9, Oebobo',
    city: 'Kupang',
    province: 'Nusa Tenggara Timur',
    timezone: 'Asia/Makassar',
    areaCode: '0380',
  },
  {
    name: 'RS Cenderawasih Medika Jayapura',
    address: 'Jl. Ahmad Yani No. 7, Jayapura Utara',
    city: 'Jayapura',
    province: 'Papua',
    timezone: 'Asia/Jayapura',
    areaCode: '0967',
  },
  {
    name: 'RS Siwalima Sehat Ambon',
    address: 'Jl. Dr. Sitanala No. 12, Sirimau',
    city: 'Ambon',
    province: 'Maluku',
    timezone: 'Asia/Jayapura',
    areaCode: '0911',
  },
  {
    name: 'RS Raja Ampat Medika Sorong',
    address: 'Jl. Basuki Rahmat No. 5, Sorong Timur',
    city: 'Sorong',
    province: 'Papua Barat Daya',
    timezone: 'Asia/Jayapura',
    areaCode: '0951',
  },
];

export const HOSPITAL_SERVICES: readonly string[] = [
  'IGD 24 jam',
  'rawat inap',
  'laboratorium',
  'radiologi',
  'farmasi 24 jam',
  'ruang bersalin',
  'hemodialisis',
  'fisioterapi',
  'medical check-up',
  'ICU',
];

export const MALE_FIRST: readonly string[] = [
  'Andi',
  'Budi',
  'Agus',
  'Ahmad',
  'Bambang',
  'Dedi',
  'Eko',
  'Fajar',
  'Gilang',
  'Hendra',
  'Irfan',
  'Joko',
  'Rizky',
  'Reza',
  'Yusuf',
  'Arif',
  'Bayu',
  'Dimas',
  'Fadli',
  'Hadi',
  'Ilham',
  'Rudi',
  'Teguh',
  'Wahyu',
  'Yoga',
  'Muhammad',
  'Taufik',
  'Adi',
  'Rendra',
  'Stevanus',
  'Yohanes',
  'Made',
  'Ketut',
  'Daniel',
];

export const FEMALE_FIRST: readonly string[] = [
  'Siti',
  'Dewi',
  'Ayu',
  'Citra',
  'Fitri',
  'Indah',
  'Maya',
  'Nur',
  'Putri',
  'Rina',
  'Sari',
  'Wulan',
  'Yuni',
  'Anisa',
  'Dian',
  'Intan',
  'Kartika',
  'Ratna',
  'Nadia',
  'Melati',
  'Aulia',
  'Laras',
  'Nabila',
  'Rahma',
  'Tiara',
  'Novita',
  'Febriana',
  'Maria',
  'Grace',
  'Kadek',
  'Nyoman',
  'Elisabeth',
];

/** Family names any doctor may carry. */
export const FAMILY_NAMES: readonly string[] = [
  'Siregar',
  'Nasution',
  'Harahap',
  'Lubis',
  'Simanjuntak',
  'Panjaitan',
  'Sondakh',
  'Pangemanan',
  'Rumengan',
  'Latuconsina',
  'Tuhumury',
  'Rumbiak',
  'Wanggai',
  'Halim',
  'Wijaya',
  'Kusuma',
  'Santoso',
  'Gunawan',
  'Tanjung',
  'Hakim',
  'Mahmud',
  'Rahman',
  'Sutanto',
  'Hartanto',
  'Daulay',
  'Pattinama',
  'Mandagi',
  'Tambunan',
];

export const MALE_LAST: readonly string[] = [
  'Saputra',
  'Pratama',
  'Nugroho',
  'Setiawan',
  'Hidayat',
  'Wibowo',
  'Kurniawan',
  'Firmansyah',
  'Ramadhan',
  'Hermawan',
  'Prasetyo',
  'Susanto',
];

export const FEMALE_LAST: readonly string[] = [
  'Rahmawati',
  'Anggraini',
  'Puspitasari',
  'Wulandari',
  'Lestari',
  'Utami',
  'Kurniasih',
  'Permatasari',
  'Handayani',
  'Novitasari',
  'Safitri',
  'Maharani',
];

export const UNIVERSITIES: readonly string[] = [
  'Universitas Indonesia',
  'Universitas Gadjah Mada',
  'Universitas Airlangga',
  'Universitas Padjadjaran',
  'Universitas Diponegoro',
  'Universitas Hasanuddin',
  'Universitas Sumatera Utara',
  'Universitas Udayana',
  'Universitas Brawijaya',
  'Universitas Sam Ratulangi',
  'Universitas Andalas',
  'Universitas Sebelas Maret',
];

export const ABOUT_CLOSINGS: readonly string[] = [
  'Dikenal sabar dan komunikatif dalam menjelaskan kondisi pasien.',
  'Mengutamakan edukasi pasien dan keluarga dalam setiap pemeriksaan.',
  'Aktif mengikuti seminar dan pelatihan untuk memperbarui ilmunya.',
  'Senang berdiskusi dengan pasien agar pilihan pengobatan dipahami bersama.',
  'Menangani pasien dewasa maupun lanjut usia dengan pendekatan yang menyeluruh.',
  'Percaya bahwa pencegahan sama pentingnya dengan pengobatan.',
];

export interface ArticleTopic {
  /** As it reads in a title: "Demam Berdarah Dengue". */
  name: string;
  /** One or two sentences introducing it. */
  about: string;
  symptoms: readonly string[];
  causes: string;
  treatment: string;
  prevention: readonly string[];
  /** Signs that need a doctor soon. */
  warnings: readonly string[];
  /** Speciality slug of the doctor to see (and of the author). */
  speciality: string;
}

export const ARTICLE_TOPICS: readonly ArticleTopic[] = [
  {
    name: 'Demam Berdarah Dengue',
    about:
      'Demam berdarah dengue (DBD) adalah infeksi virus dengue yang ditularkan melalui gigitan nyamuk Aedes aegypti. Kasusnya meningkat setiap musim hujan di banyak daerah di Indonesia.',
    symptoms: [
      'Demam tinggi mendadak hingga 39–40 °C',
      'Nyeri kepala, nyeri di belakang mata, serta nyeri otot dan sendi',
      'Bintik-bintik merah pada kulit',
      'Mual, muntah, dan nafsu makan menurun',
    ],
    causes:
      'DBD disebabkan oleh virus dengue yang dibawa nyamuk Aedes aegypti. Nyamuk ini berkembang biak di genangan air bersih seperti bak mandi, vas bunga, dan barang bekas.',
    treatment:
      'Belum ada obat antivirus khusus untuk dengue. Penanganan berfokus pada pemenuhan cairan, penurun demam seperti paracetamol, dan pemantauan jumlah trombosit.',
    prevention: [
      'Menguras dan menutup tempat penampungan air secara rutin',
      'Mendaur ulang barang bekas yang dapat menampung air hujan',
      'Memakai losion antinyamuk, terutama pada pagi dan sore hari',
      'Memasang kelambu dan kasa nyamuk di rumah',
    ],
    warnings: [
      'Demam turun tetapi badan lemas dengan tangan dan kaki terasa dingin',
      'Muntah terus-menerus atau nyeri perut yang hebat',
      'Mimisan, gusi berdarah, atau buang air besar berwarna hitam',
    ],
    speciality: 'penyakit-dalam',
  },
  {
    name: 'Diabetes Melitus Tipe 2',
    about:
      'Diabetes melitus tipe 2 adalah kondisi ketika kadar gula darah tetap tinggi karena tubuh tidak mampu menggunakan insulin dengan baik. Penyakit ini sering berkembang perlahan tanpa keluhan yang jelas.',
    symptoms: [
      'Sering haus dan sering buang air kecil',
      'Mudah lapar tetapi berat badan turun',
      'Luka yang lama sembuh',
      'Kesemutan pada tangan dan kaki',
    ],
    causes:
      'Faktor risikonya antara lain berat badan berlebih, kurang bergerak, pola makan tinggi gula, usia di atas 40 tahun, dan riwayat diabetes dalam keluarga.',
    treatment:
      'Pengobatan meliputi pengaturan pola makan, olahraga teratur, obat penurun gula darah, dan bila perlu insulin, disertai pemeriksaan gula darah berkala.',
    prevention: [
      'Menjaga berat badan ideal',
      'Berolahraga minimal 150 menit setiap minggu',
      'Membatasi minuman manis dan makanan olahan',
      'Memeriksakan gula darah secara rutin bila berisiko',
      'Memperbanyak sayur, buah, dan biji-bijian utuh',
    ],
    warnings: [
      'Gula darah di atas 300 mg/dL atau sangat rendah hingga gemetar dan berkeringat dingin',
      'Luka di kaki yang bernanah atau menghitam',
      'Penglihatan kabur yang muncul tiba-tiba',
    ],
    speciality: 'penyakit-dalam',
  },
  {
    name: 'Hipertensi',
    about:
      'Hipertensi atau tekanan darah tinggi terjadi bila tekanan darah berulang kali mencapai 140/90 mmHg atau lebih. Karena sering tanpa gejala, hipertensi dijuluki silent killer.',
    symptoms: [
      'Sakit kepala, terutama di bagian belakang kepala',
      'Tengkuk terasa berat',
      'Pusing dan mudah lelah',
      'Sering kali tidak bergejala sama sekali',
    ],
    causes:
      'Hipertensi dipicu oleh konsumsi garam berlebih, kegemukan, kurang aktivitas fisik, merokok, stres, dan faktor keturunan.',
    treatment:
      'Tekanan darah dikendalikan dengan perubahan gaya hidup dan obat antihipertensi yang diminum teratur sesuai anjuran dokter, meskipun tidak ada keluhan.',
    prevention: [
      'Membatasi garam hingga kurang dari satu sendok teh per hari',
      'Berhenti merokok',
      'Berolahraga secara teratur',
      'Mengelola stres dan tidur cukup',
      'Mengukur tekanan darah secara berkala',
    ],
    warnings: [
      'Tekanan darah 180/120 mmHg atau lebih',
      'Nyeri dada atau sesak napas',
      'Wajah mencong, lengan lemah, atau bicara pelo',
    ],
    speciality: 'jantung',
  },
  {
    name: 'Asma',
    about:
      'Asma adalah peradangan kronis pada saluran napas yang membuatnya menyempit saat terpapar pemicu. Asma dapat dialami anak-anak maupun orang dewasa.',
    symptoms: [
      'Sesak napas yang hilang timbul',
      'Napas berbunyi mengi',
      'Batuk, terutama pada malam atau dini hari',
      'Dada terasa berat atau tertekan',
    ],
    causes:
      'Serangan asma dapat dipicu oleh debu, tungau, bulu hewan, asap rokok, udara dingin, infeksi saluran napas, dan aktivitas fisik berat.',
    treatment:
      'Asma dikendalikan dengan obat pengontrol yang digunakan setiap hari dan obat pelega saat serangan, biasanya dalam bentuk inhaler.',
    prevention: [
      'Mengenali dan menghindari pemicu asma',
      'Menjaga kebersihan rumah dari debu dan tungau',
      'Menjauhi asap rokok',
      'Menggunakan obat pengontrol sesuai anjuran dokter',
    ],
    warnings: [
      'Sesak napas yang tidak membaik setelah memakai inhaler pelega',
      'Sulit berbicara dalam satu kalimat utuh karena sesak',
      'Bibir atau kuku tampak kebiruan',
    ],
    speciality: 'paru',
  },
  {
    name: 'Gastritis',
    about:
      'Gastritis atau yang sering disebut sakit maag adalah peradangan pada dinding lambung. Keluhannya dapat muncul mendadak atau berlangsung lama.',
    symptoms: [
      'Nyeri atau perih di ulu hati',
      'Perut kembung dan sering bersendawa',
      'Mual, terkadang disertai muntah',
      'Cepat merasa kenyang',
    ],
    causes:
      'Gastritis dapat disebabkan oleh infeksi bakteri Helicobacter pylori, penggunaan obat antinyeri jangka panjang, telat makan, kopi, alkohol, dan stres.',
    treatment:
      'Penanganan meliputi obat penurun asam lambung, pengobatan infeksi bila ada, serta perbaikan pola makan.',
    prevention: [
      'Makan teratur dengan porsi kecil tetapi sering',
      'Membatasi makanan pedas, asam, dan berlemak',
      'Mengurangi kopi dan minuman bersoda',
      'Tidak minum obat antinyeri tanpa anjuran dokter',
    ],
    warnings: [
      'Muntah darah atau muntahan berwarna seperti kopi',
      'Buang air besar berwarna hitam',
      'Nyeri perut hebat yang tidak kunjung reda',
    ],
    speciality: 'penyakit-dalam',
  },
  {
    name: 'Demam Tifoid',
    about:
      'Demam tifoid atau tifus adalah infeksi bakteri Salmonella typhi yang menyebar melalui makanan dan minuman yang tercemar.',
    symptoms: [
      'Demam yang naik bertahap, terutama pada sore dan malam hari',
      'Sakit kepala dan badan lemas',
      'Nyeri perut, sembelit, atau diare',
      'Lidah tampak kotor dengan tepi kemerahan',
    ],
    causes:
      'Bakteri masuk ke tubuh melalui makanan atau minuman yang terkontaminasi tinja penderita, misalnya karena air yang tidak dimasak atau tangan yang tidak dicuci.',
    treatment:
      'Tifoid diobati dengan antibiotik yang diresepkan dokter, istirahat cukup, dan asupan cairan serta makanan lunak.',
    prevention: [
      'Mencuci tangan dengan sabun sebelum makan',
      'Minum air yang sudah dimasak hingga mendidih',
      'Memilih makanan yang dimasak matang dan tempat makan yang bersih',
      'Mendapatkan vaksin tifoid',
    ],
    warnings: [
      'Demam lebih dari tiga hari yang tidak turun dengan obat penurun panas',
      'Nyeri perut hebat dan perut terasa keras',
      'Penurunan kesadaran atau mengigau',
    ],
    speciality: 'penyakit-dalam',
  },
  {
    name: 'Anemia Defisiensi Besi',
    about:
      'Anemia defisiensi besi terjadi ketika tubuh kekurangan zat besi untuk membentuk hemoglobin. Kondisi ini banyak dialami remaja putri, ibu hamil, dan anak-anak.',
    symptoms: [
      'Mudah lelah dan lesu',
      'Wajah dan kelopak mata bagian dalam pucat',
      'Pusing dan berkunang-kunang',
      'Jantung berdebar',
    ],
    causes:
      'Penyebabnya antara lain asupan zat besi yang kurang, perdarahan haid yang banyak, kehamilan, dan infeksi cacing.',
    treatment:
      'Penanganan meliputi suplemen zat besi, makanan kaya zat besi, dan mengatasi penyebab kehilangan darah bila ada.',
    prevention: [
      'Mengonsumsi daging merah, hati, ikan, dan sayuran hijau',
      'Minum tablet tambah darah sesuai anjuran, terutama saat haid dan hamil',
      'Mengonsumsi buah sumber vitamin C untuk membantu penyerapan zat besi',
      'Tidak minum teh atau kopi bersamaan dengan waktu makan',
    ],
    warnings: [
      'Sesak napas saat beraktivitas ringan',
      'Pingsan atau hampir pingsan',
      'Perdarahan haid yang sangat banyak',
    ],
    speciality: 'dokter-umum',
  },
  {
    name: 'Kolesterol Tinggi',
    about:
      'Kolesterol tinggi berarti kadar lemak jahat (LDL) dalam darah berlebihan. Lemak ini dapat menumpuk di pembuluh darah dan meningkatkan risiko penyakit jantung dan stroke.',
    symptoms: [
      'Umumnya tidak menimbulkan gejala',
      'Benjolan lemak kekuningan di sekitar kelopak mata',
      'Baru diketahui melalui pemeriksaan darah',
      'Keluhan muncul bila sudah terjadi penyempitan pembuluh darah',
    ],
    causes:
      'Kolesterol tinggi berkaitan dengan makanan tinggi lemak jenuh, kurang olahraga, kegemukan, merokok, dan faktor keturunan.',
    treatment:
      'Kadar kolesterol diturunkan dengan pola makan sehat, olahraga, dan obat penurun kolesterol bila diperlukan.',
    prevention: [
      'Mengurangi gorengan, jeroan, dan santan kental',
      'Memperbanyak serat dari sayur, buah, dan oat',
      'Berolahraga minimal 30 menit setiap hari',
      'Memeriksakan kadar kolesterol setidaknya setahun sekali',
    ],
    warnings: [
      'Nyeri dada yang menjalar ke lengan kiri atau rahang',
      'Kelemahan mendadak pada satu sisi tubuh',
      'Nyeri betis saat berjalan yang hilang saat istirahat',
    ],
    speciality: 'jantung',
  },
  {
    name: 'Migrain',
    about:
      'Migrain adalah sakit kepala berdenyut yang biasanya terasa di satu sisi kepala dan dapat berlangsung beberapa jam hingga beberapa hari.',
    symptoms: [
      'Nyeri kepala berdenyut di satu sisi',
      'Mual atau muntah',
      'Sensitif terhadap cahaya dan suara',
      'Melihat kilatan cahaya sebelum nyeri muncul',
    ],
    causes:
      'Pemicu migrain berbeda pada tiap orang, misalnya kurang tidur, stres, telat makan, perubahan hormon, dan makanan tertentu.',
    treatment:
      'Serangan diredakan dengan obat antinyeri dan istirahat di ruangan yang tenang dan gelap. Migrain yang sering kambuh memerlukan obat pencegah dari dokter.',
    prevention: [
      'Tidur dan bangun pada jam yang sama setiap hari',
      'Mencatat pemicu di buku harian sakit kepala',
      'Tidak melewatkan waktu makan',
      'Mengelola stres dengan relaksasi atau olahraga ringan',
    ],
    warnings: [
      'Sakit kepala paling hebat yang pernah dirasakan dan muncul tiba-tiba',
      'Sakit kepala disertai demam dan leher kaku',
      'Sakit kepala disertai kelemahan anggota gerak atau gangguan bicara',
    ],
    speciality: 'saraf',
  },
  {
    name: 'Diare pada Anak',
    about:
      'Diare pada anak adalah buang air besar cair tiga kali atau lebih dalam sehari. Bahaya terbesarnya adalah dehidrasi atau kekurangan cairan.',
    symptoms: [
      'Buang air besar cair atau lembek lebih sering dari biasanya',
      'Perut mulas dan kembung',
      'Muntah dan nafsu makan menurun',
      'Anak rewel dan lemas',
    ],
    causes:
      'Diare umumnya disebabkan oleh infeksi virus seperti rotavirus, bakteri dari makanan yang tercemar, atau alergi dan intoleransi makanan.',
    treatment:
      'Berikan oralit untuk mengganti cairan, lanjutkan ASI dan makanan, serta suplemen zinc selama sepuluh hari sesuai anjuran tenaga kesehatan.',
    prevention: [
      'Memberikan ASI eksklusif selama enam bulan pertama',
      'Mencuci tangan dengan sabun sebelum menyiapkan makanan',
      'Menjaga kebersihan botol susu dan peralatan makan anak',
      'Melengkapi imunisasi rotavirus',
    ],
    warnings: [
      'Anak tidak buang air kecil lebih dari enam jam',
      'Mata cekung, bibir kering, dan menangis tanpa air mata',
      'Tinja berdarah atau anak terus muntah',
    ],
    speciality: 'anak',
  },
  {
    name: 'Infeksi Saluran Pernapasan Akut',
    about:
      'Infeksi saluran pernapasan akut (ISPA) adalah infeksi pada hidung, tenggorokan, hingga paru-paru yang berlangsung kurang dari dua minggu. ISPA sangat sering terjadi saat pergantian musim.',
    symptoms: ['Batuk dan pilek', 'Sakit tenggorokan', 'Demam', 'Badan pegal dan lemas'],
    causes:
      'Sebagian besar ISPA disebabkan oleh virus yang menular melalui percikan ludah saat batuk atau bersin, serta dari tangan yang menyentuh benda tercemar.',
    treatment:
      'ISPA ringan biasanya membaik dengan istirahat, cukup minum, dan obat untuk meredakan gejala. Antibiotik hanya diberikan bila ada infeksi bakteri.',
    prevention: [
      'Mencuci tangan dengan sabun secara rutin',
      'Memakai masker saat sedang sakit atau berada di keramaian',
      'Menutup mulut dengan siku saat batuk atau bersin',
      'Menjaga sirkulasi udara di dalam rumah',
    ],
    warnings: [
      'Napas cepat atau tarikan dinding dada ke dalam, terutama pada anak',
      'Demam tinggi lebih dari tiga hari',
      'Sesak napas atau nyeri dada',
    ],
    speciality: 'dokter-umum',
  },
  {
    name: 'Stunting',
    about:
      'Stunting adalah kondisi gagal tumbuh pada anak akibat kekurangan gizi kronis, terutama pada 1.000 hari pertama kehidupan. Anak tampak lebih pendek dibandingkan anak seusianya.',
    symptoms: [
      'Tinggi badan di bawah standar usianya',
      'Pertumbuhan berat badan lambat',
      'Perkembangan motorik dan bicara terlambat',
      'Mudah sakit',
    ],
    causes:
      'Stunting disebabkan oleh asupan gizi yang kurang sejak kehamilan, infeksi berulang, sanitasi yang buruk, dan pola asuh makan yang kurang tepat.',
    treatment:
      'Penanganan dilakukan dengan perbaikan gizi, pemantauan tumbuh kembang rutin, dan pengobatan infeksi yang menyertai, dengan arahan dokter anak.',
    prevention: [
      'Memenuhi gizi ibu sejak masa kehamilan',
      'Memberikan ASI eksklusif dan MPASI kaya protein hewani',
      'Rutin menimbang dan mengukur tinggi anak di posyandu',
      'Melengkapi imunisasi dasar',
      'Menjaga kebersihan air dan lingkungan rumah',
    ],
    warnings: [
      'Berat badan tidak naik dua bulan berturut-turut',
      'Garis pertumbuhan di buku KIA menurun',
      'Anak belum bisa duduk, berjalan, atau berbicara sesuai usianya',
    ],
    speciality: 'anak',
  },
  {
    name: 'Batu Ginjal',
    about:
      'Batu ginjal adalah endapan keras dari mineral dan garam yang terbentuk di dalam ginjal. Batu dapat berpindah ke saluran kemih dan menimbulkan nyeri hebat.',
    symptoms: [
      'Nyeri hebat di pinggang atau punggung bawah yang menjalar ke perut',
      'Urine berwarna kemerahan atau keruh',
      'Nyeri saat buang air kecil',
      'Mual dan muntah',
    ],
    causes:
      'Batu ginjal terbentuk karena kurang minum, konsumsi garam dan protein hewani berlebihan, kegemukan, serta riwayat keluarga.',
    treatment:
      'Batu kecil dapat keluar sendiri dengan banyak minum dan obat. Batu yang lebih besar memerlukan tindakan seperti pemecahan batu dengan gelombang kejut atau operasi.',
    prevention: [
      'Minum air putih dua hingga tiga liter per hari',
      'Mengurangi garam dan makanan olahan',
      'Membatasi daging merah dan jeroan',
      'Tidak menahan buang air kecil',
    ],
    warnings: [
      'Nyeri pinggang hebat disertai demam dan menggigil',
      'Tidak bisa buang air kecil sama sekali',
      'Muntah terus sehingga tidak bisa minum',
    ],
    speciality: 'urologi',
  },
  {
    name: 'Asam Urat',
    about:
      'Asam urat atau gout adalah radang sendi akibat penumpukan kristal asam urat. Serangannya sering muncul tiba-tiba pada malam hari, terutama di jempol kaki.',
    symptoms: [
      'Sendi nyeri hebat, bengkak, dan kemerahan',
      'Sendi terasa panas saat disentuh',
      'Paling sering menyerang jempol kaki',
      'Benjolan di sekitar sendi pada kasus yang lama',
    ],
    causes:
      'Kadar asam urat naik karena makanan tinggi purin seperti jeroan dan makanan laut, minuman manis, alkohol, kegemukan, dan gangguan ginjal.',
    treatment:
      'Serangan diredakan dengan obat antiradang dan kompres dingin. Obat penurun asam urat diberikan dokter untuk mencegah serangan berulang.',
    prevention: [
      'Membatasi jeroan, makanan laut, dan daging merah',
      'Menghindari minuman manis dan alkohol',
      'Minum air putih yang cukup',
      'Menurunkan berat badan secara bertahap',
    ],
    warnings: [
      'Sendi bengkak disertai demam tinggi',
      'Serangan yang makin sering atau mengenai banyak sendi',
      'Nyeri pinggang atau urine berdarah',
    ],
    speciality: 'penyakit-dalam',
  },
  {
    name: 'Vertigo',
    about:
      'Vertigo adalah sensasi berputar, seolah diri sendiri atau sekitar bergerak padahal sedang diam. Keluhan ini sering berkaitan dengan gangguan keseimbangan di telinga bagian dalam.',
    symptoms: [
      'Pusing berputar, terutama saat mengubah posisi kepala',
      'Mual dan muntah',
      'Sulit menjaga keseimbangan',
      'Telinga berdenging',
    ],
    causes:
      'Penyebab tersering adalah pergeseran kristal kecil di telinga dalam (BPPV). Vertigo juga dapat disebabkan oleh peradangan telinga dalam, migrain, atau gangguan di otak.',
    treatment:
      'Vertigo jenis BPPV dapat ditangani dengan manuver reposisi kepala oleh dokter, disertai obat untuk meredakan pusing dan mual.',
    prevention: [
      'Bangun dari tidur secara perlahan',
      'Menghindari gerakan kepala yang mendadak',
      'Cukup minum dan istirahat',
      'Mengurangi kafein dan garam berlebihan',
    ],
    warnings: [
      'Vertigo disertai bicara pelo atau wajah mencong',
      'Penglihatan ganda atau kelemahan anggota gerak',
      'Sakit kepala hebat yang muncul bersamaan',
    ],
    speciality: 'saraf',
  },
  {
    name: 'Gigi Berlubang',
    about:
      'Gigi berlubang atau karies adalah kerusakan lapisan gigi akibat asam yang dihasilkan bakteri di mulut. Bila dibiarkan, lubang dapat mencapai saraf gigi.',
    symptoms: [
      'Gigi ngilu saat makan atau minum yang manis, panas, atau dingin',
      'Lubang atau noda hitam pada permukaan gigi',
      'Sakit gigi yang berdenyut',
      'Bau mulut',
    ],
    causes:
      'Karies disebabkan oleh sisa makanan manis yang diolah bakteri menjadi asam, kebiasaan menyikat gigi yang kurang baik, dan jarang memeriksakan gigi.',
    treatment:
      'Lubang kecil cukup ditambal. Lubang yang dalam memerlukan perawatan saluran akar, dan gigi yang rusak berat mungkin perlu dicabut.',
    prevention: [
      'Menyikat gigi dua kali sehari dengan pasta gigi berfluoride',
      'Membersihkan sela gigi dengan benang gigi',
      'Membatasi camilan dan minuman manis',
      'Memeriksakan gigi ke dokter gigi setiap enam bulan',
    ],
    warnings: ['Gusi atau pipi bengkak', 'Sakit gigi disertai demam', 'Nyeri yang membuat sulit tidur atau makan'],
    speciality: 'gigi-umum',
  },
  {
    name: 'Depresi',
    about:
      'Depresi adalah gangguan suasana hati yang membuat seseorang merasa sedih dan kehilangan minat secara terus-menerus selama dua minggu atau lebih. Depresi dapat diobati.',
    symptoms: [
      'Perasaan sedih atau hampa hampir sepanjang hari',
      'Kehilangan minat pada hal yang biasanya disukai',
      'Gangguan tidur dan perubahan nafsu makan',
      'Sulit berkonsentrasi dan merasa tidak berharga',
    ],
    causes:
      'Depresi muncul dari gabungan faktor biologis, psikologis, dan sosial, seperti peristiwa hidup yang berat, stres berkepanjangan, penyakit kronis, dan riwayat keluarga.',
    treatment:
      'Penanganan meliputi psikoterapi, obat antidepresan bila diperlukan, dan dukungan dari keluarga serta lingkungan.',
    prevention: [
      'Menjaga pola tidur dan aktivitas fisik',
      'Berbagi cerita dengan orang yang dipercaya',
      'Mengenali tanda stres dan beristirahat sejenak',
      'Tidak ragu mencari bantuan profesional',
    ],
    warnings: [
      'Muncul pikiran untuk menyakiti diri sendiri atau mengakhiri hidup',
      'Tidak mampu menjalani aktivitas sehari-hari',
      'Berhenti makan dan minum',
    ],
    speciality: 'kedokteran-jiwa',
  },
  {
    name: 'Cacar Air',
    about:
      'Cacar air adalah infeksi virus varicella-zoster yang sangat menular dan menimbulkan ruam lenting berisi cairan di seluruh tubuh. Penyakit ini paling sering dialami anak-anak.',
    symptoms: [
      'Ruam merah yang berubah menjadi lenting berisi cairan',
      'Rasa gatal di seluruh tubuh',
      'Demam ringan',
      'Lemas dan nafsu makan menurun',
    ],
    causes:
      'Virus menular melalui percikan ludah dan kontak langsung dengan cairan lenting penderita, bahkan satu hingga dua hari sebelum ruam muncul.',
    treatment:
      'Cacar air biasanya sembuh sendiri dalam satu hingga dua minggu. Dokter dapat memberikan obat antivirus, obat penurun demam, dan bedak atau losion untuk meredakan gatal.',
    prevention: [
      'Mendapatkan vaksin varisela',
      'Menghindari kontak dengan penderita hingga semua lenting mengering',
      'Tidak berbagi handuk dan pakaian',
      'Menjaga kuku tetap pendek agar lenting tidak digaruk',
    ],
    warnings: [
      'Lenting bernanah, bengkak, dan terasa nyeri',
      'Sesak napas atau batuk berat',
      'Penderita adalah ibu hamil, bayi, atau orang dengan daya tahan tubuh rendah',
    ],
    speciality: 'kulit-kelamin',
  },
  {
    name: 'Konjungtivitis',
    about:
      'Konjungtivitis atau mata merah adalah peradangan pada selaput bening yang melapisi bagian putih mata dan kelopak mata bagian dalam.',
    symptoms: [
      'Mata merah',
      'Mata berair atau mengeluarkan kotoran',
      'Gatal atau rasa mengganjal',
      'Kelopak mata bengkak',
    ],
    causes:
      'Konjungtivitis dapat disebabkan oleh virus, bakteri, alergi terhadap debu atau serbuk sari, dan iritasi akibat asap atau bahan kimia.',
    treatment:
      'Pengobatan disesuaikan dengan penyebabnya, misalnya tetes mata antibiotik untuk infeksi bakteri atau obat antialergi untuk konjungtivitis alergi.',
    prevention: [
      'Tidak mengucek mata',
      'Mencuci tangan sebelum menyentuh wajah',
      'Tidak berbagi handuk, sarung bantal, atau kosmetik mata',
      'Merawat lensa kontak sesuai petunjuk',
    ],
    warnings: ['Penglihatan kabur atau menurun', 'Nyeri mata yang hebat', 'Mata sangat silau terhadap cahaya'],
    speciality: 'mata',
  },
  {
    name: 'Preeklamsia',
    about:
      'Preeklamsia adalah komplikasi kehamilan berupa tekanan darah tinggi dan tanda kerusakan organ, biasanya muncul setelah usia kehamilan 20 minggu.',
    symptoms: [
      'Tekanan darah 140/90 mmHg atau lebih',
      'Bengkak pada wajah dan tangan',
      'Sakit kepala yang tidak kunjung hilang',
      'Gangguan penglihatan',
    ],
    causes:
      'Penyebab pastinya belum diketahui, tetapi risikonya lebih tinggi pada kehamilan pertama, kehamilan kembar, ibu dengan hipertensi atau diabetes, dan usia di atas 35 tahun.',
    treatment:
      'Penanganan meliputi pemantauan ketat tekanan darah dan kondisi janin, obat penurun tekanan darah, dan pada kasus berat persalinan perlu direncanakan lebih awal.',
    prevention: [
      'Memeriksakan kehamilan secara rutin sesuai jadwal',
      'Mengukur tekanan darah pada setiap kunjungan',
      'Mengonsumsi obat pencegah yang diresepkan dokter bila berisiko tinggi',
      'Menjaga pola makan bergizi dan istirahat cukup',
    ],
    warnings: [
      'Sakit kepala hebat disertai pandangan kabur',
      'Nyeri ulu hati atau perut kanan atas',
      'Kejang atau gerakan janin berkurang',
    ],
    speciality: 'kandungan',
  },
];

export interface ProductCategorySeed {
  slug: string;
  name: string;
  description: string;
  /** Product names and prices (whole rupiah). */
  products: readonly (readonly [string, number])[];
}

export const PRODUCT_CATEGORIES: readonly ProductCategorySeed[] = [
  {
    slug: 'vitamin-suplemen',
    name: 'Vitamin & Suplemen',
    description: 'Vitamin dan mineral untuk membantu memenuhi kebutuhan harian dan menjaga daya tahan tubuh.',
    products: [
      ['Vitamin C 1000 mg isi 30 Tablet', 55000],
      ['Vitamin C 500 mg Tablet Hisap isi 20', 25000],
      ['Vitamin D3 1000 IU isi 30 Kapsul', 65000],
      ['Vitamin D3 5000 IU isi 30 Kapsul', 95000],
      ['Vitamin E 400 IU isi 30 Kapsul Lunak', 70000],
      ['Vitamin B Kompleks isi 50 Tablet', 20000],
      ['Multivitamin Dewasa isi 30 Tablet', 85000],
      ['Zinc 20 mg isi 30 Tablet', 45000],
      ['Kalsium 500 mg + Vitamin D3 isi 60 Tablet', 75000],
      ['Minyak Ikan Omega-3 1000 mg isi 60 Kapsul', 120000],
      ['Asam Folat 400 mcg isi 30 Tablet', 20000],
      ['Zat Besi 60 mg isi 30 Tablet', 25000],
      ['Magnesium 250 mg isi 30 Tablet', 80000],
      ['Vitamin B12 500 mcg isi 30 Tablet', 60000],
      ['Kolagen Bubuk isi 10 Sachet', 150000],
    ],
  },
  {
    slug: 'obat-batuk-flu',
    name: 'Obat Batuk & Flu',
    description: 'Pereda batuk, pilek, hidung tersumbat, dan sakit tenggorokan.',
    products: [
      ['Sirup Obat Batuk Berdahak 100 ml', 22000],
      ['Sirup Obat Batuk Kering 60 ml', 18000],
      ['Sirup Batuk Anak Rasa Jeruk 60 ml', 20000],
      ['Tablet Flu dan Pilek isi 10', 8000],
      ['Kaplet Flu Tanpa Kantuk isi 10', 12000],
      ['Ambroksol 30 mg isi 10 Tablet', 6000],
      ['Guaifenesin 100 mg isi 10 Tablet', 5000],
      ['Permen Pelega Tenggorokan Madu Lemon isi 20', 15000],
      ['Semprot Hidung Air Laut 20 ml', 65000],
      ['Balsem Pereda Hidung Tersumbat 20 g', 15000],
      ['Minyak Kayu Putih 60 ml', 25000],
      ['Sirup Herbal Jahe Madu 100 ml', 20000],
      ['Tetes Hidung Bayi Saline 10 ml', 35000],
      ['Inhaler Aromatik Mint', 12000],
      ['Tablet Hisap Radang Tenggorokan isi 12', 18000],
    ],
  },
  {
    slug: 'obat-demam-nyeri',
    name: 'Obat Demam & Nyeri',
    description: 'Penurun demam dan pereda nyeri untuk dewasa dan anak.',
    products: [
      ['Paracetamol 500 mg isi 10 Tablet', 5000],
      ['Paracetamol 650 mg isi 10 Kaplet', 9000],
      ['Paracetamol Sirup Anak 120 mg/5 ml 60 ml', 15000],
      ['Paracetamol Tetes Bayi 15 ml', 25000],
      ['Ibuprofen 200 mg isi 10 Tablet', 8000],
      ['Ibuprofen Suspensi Anak 100 mg/5 ml 60 ml', 28000],
      ['Plester Kompres Demam Anak isi 4', 22000],
      ['Koyo Pereda Nyeri Otot isi 10', 12000],
      ['Krim Pereda Nyeri Otot 30 g', 25000],
      ['Gel Pereda Nyeri Sendi 50 g', 55000],
      ['Minyak Urut Gosok 60 ml', 20000],
      ['Kompres Dingin Instan', 18000],
      ['Tablet Sakit Kepala dengan Kafein isi 4', 4000],
      ['Semprot Pereda Nyeri Otot 150 ml', 65000],
      ['Kompres Gel Panas Dingin', 45000],
    ],
  },
  {
    slug: 'perawatan-kulit',
    name: 'Perawatan Kulit',
    description: 'Perawatan kulit wajah dan tubuh, tabir surya, dan pereda gatal.',
    products: [
      ['Tabir Surya SPF 50 PA++++ 50 ml', 85000],
      ['Pelembap Wajah Kulit Sensitif 50 ml', 95000],
      ['Sabun Cuci Muka Kulit Berjerawat 100 ml', 45000],
      ['Gel Lidah Buaya 99% 250 ml', 40000],
      ['Losion Kalamin 100 ml', 25000],
      ['Bedak Biang Keringat 100 g', 15000],
      ['Serum Niasinamida 10% 20 ml', 75000],
      ['Krim Tangan Urea 10% 50 g', 55000],
      ['Sampo Antiketombe 170 ml', 35000],
      ['Lip Balm SPF 15 4 g', 25000],
      ['Micellar Water 200 ml', 50000],
      ['Patch Jerawat isi 24', 30000],
      ['Sabun Mandi Antiseptik 85 g', 6000],
      ['Krim Antijamur 15 g', 20000],
      ['Toner Wajah Tanpa Alkohol 150 ml', 60000],
    ],
  },
  {
    slug: 'ibu-anak',
    name: 'Ibu & Anak',
    description: 'Kebutuhan ibu hamil, ibu menyusui, bayi, dan anak.',
    products: [
      ['Minyak Telon 100 ml', 32000],
      ['Krim Ruam Popok 50 g', 45000],
      ['Susu Ibu Hamil Rasa Cokelat 400 g', 85000],
      ['Susu Ibu Menyusui Rasa Vanila 400 g', 90000],
      ['Vitamin Ibu Hamil isi 30 Kapsul', 110000],
      ['Pompa ASI Manual', 175000],
      ['Kantong ASI 100 ml isi 30', 55000],
      ['Botol Susu Bayi 250 ml', 65000],
      ['Sabun dan Sampo Bayi 2 in 1 200 ml', 35000],
      ['Tisu Basah Bayi Tanpa Pewangi isi 60', 18000],
      ['Popok Bayi Perekat Ukuran M isi 34', 95000],
      ['Bantal Menyusui', 150000],
      ['Krim Stretch Mark 100 g', 120000],
      ['Multivitamin Anak Sirup 60 ml', 40000],
      ['Bedak Bayi 100 g', 12000],
    ],
  },
  {
    slug: 'alat-kesehatan',
    name: 'Alat Kesehatan',
    description: 'Alat pemantau kesehatan di rumah, masker, dan perlengkapan perawatan.',
    products: [
      ['Termometer Digital', 35000],
      ['Termometer Inframerah Dahi', 185000],
      ['Tensimeter Digital Lengan Atas', 450000],
      ['Oksimeter Jari', 150000],
      ['Alat Cek Gula Darah Set', 275000],
      ['Strip Tes Gula Darah isi 25', 125000],
      ['Masker Medis 3 Lapis isi 50', 35000],
      ['Masker KN95 isi 10', 45000],
      ['Sarung Tangan Lateks isi 100', 95000],
      ['Nebulizer Kompresor', 550000],
      ['Timbangan Badan Digital', 175000],
      ['Tongkat Jalan Lipat', 120000],
      ['Kantong Kompres Air Panas', 45000],
      ['Pengukur Tinggi Badan Dinding', 65000],
      ['Kotak Obat Mingguan', 25000],
    ],
  },
  {
    slug: 'pencernaan',
    name: 'Pencernaan',
    description: 'Pereda maag, diare, sembelit, kembung, dan mual.',
    products: [
      ['Antasida Tablet Kunyah isi 10', 9000],
      ['Antasida Suspensi 150 ml', 25000],
      ['Oralit isi 10 Sachet', 12000],
      ['Sirup Zinc Anak 60 ml', 35000],
      ['Probiotik Sachet isi 10', 85000],
      ['Serat Psyllium isi 10 Sachet', 65000],
      ['Tablet Karbon Aktif isi 10', 15000],
      ['Bisakodil 5 mg isi 10 Tablet', 12000],
      ['Tablet Antimual Perjalanan isi 10', 15000],
      ['Kapsul Kunyit Pencernaan isi 30', 45000],
      ['Teh Pelancar Pencernaan isi 20', 30000],
      ['Simetikon Tetes Bayi 15 ml', 55000],
      ['Kapsul Enzim Pencernaan isi 30', 95000],
      ['Gel Wasir 20 g', 45000],
      ['Larutan Elektrolit Siap Minum 500 ml', 9000],
    ],
  },
  {
    slug: 'mulut-gigi',
    name: 'Perawatan Mulut & Gigi',
    description: 'Pasta gigi, sikat gigi, obat kumur, dan perawatan mulut lainnya.',
    products: [
      ['Pasta Gigi Sensitif 100 g', 28000],
      ['Pasta Gigi Herbal 120 g', 18000],
      ['Pasta Gigi Anak Rasa Stroberi 50 g', 15000],
      ['Sikat Gigi Bulu Halus', 12000],
      ['Sikat Gigi Anak', 10000],
      ['Sikat Gigi Bayi Silikon', 25000],
      ['Sikat Gigi Elektrik', 325000],
      ['Obat Kumur Antiseptik 250 ml', 32000],
      ['Obat Kumur Tanpa Alkohol 250 ml', 35000],
      ['Benang Gigi 50 m', 25000],
      ['Sikat Sela Gigi isi 6', 30000],
      ['Gel Sariawan 10 g', 25000],
      ['Tablet Pembersih Gigi Palsu isi 24', 55000],
      ['Semprot Penyegar Mulut 20 ml', 22000],
      ['Pembersih Lidah', 15000],
    ],
  },
  {
    slug: 'herbal-jamu',
    name: 'Herbal & Jamu',
    description: 'Jamu, madu, dan produk herbal tradisional Indonesia.',
    products: [
      ['Jamu Kunyit Asam Siap Minum 250 ml', 8000],
      ['Jamu Beras Kencur Siap Minum 250 ml', 8000],
      ['Temulawak Kapsul isi 30', 35000],
      ['Madu Hutan Murni 250 g', 75000],
      ['Madu Anak Rasa Jeruk 150 ml', 45000],
      ['Jahe Merah Instan isi 10 Sachet', 25000],
      ['Habbatussauda Kapsul isi 100', 85000],
      ['Ekstrak Meniran Kapsul isi 30', 55000],
      ['Sambiloto Kapsul isi 30', 40000],
      ['Daun Kelor Kapsul isi 60', 60000],
      ['Teh Hijau Celup isi 25', 18000],
      ['Wedang Uwuh isi 5 Sachet', 20000],
      ['Minyak Zaitun Ekstra Virgin 250 ml', 95000],
      ['Sari Kurma 350 g', 45000],
      ['Kayu Manis Bubuk 50 g', 20000],
    ],
  },
  {
    slug: 'p3k',
    name: 'Pertolongan Pertama (P3K)',
    description: 'Perlengkapan pertolongan pertama untuk luka, lecet, dan cedera ringan.',
    products: [
      ['Plester Luka isi 20', 8000],
      ['Plester Luka Tahan Air isi 10', 15000],
      ['Kasa Steril 10 x 10 cm isi 16', 12000],
      ['Perban Elastis 10 cm', 18000],
      ['Plester Rol 1,25 cm x 5 m', 10000],
      ['Povidone Iodine 10% 30 ml', 18000],
      ['Alkohol 70% 100 ml', 10000],
      ['Cairan Antiseptik 100 ml', 25000],
      ['Salep Luka Bakar 20 g', 30000],
      ['Kapas Steril 50 g', 8000],
      ['Gunting Perban', 25000],
      ['Kotak P3K Lengkap', 150000],
      ['Semprot Antiseptik Luka 50 ml', 45000],
      ['Hand Sanitizer 500 ml', 45000],
      ['Cotton Bud isi 100', 10000],
    ],
  },
];

/**
 * Weekly days of a doctor's first, second and third practice (ISO weekdays, 1 Monday): never
 * the same day twice, so one doctor's hours never overlap, whatever the time zones.
 */
export const PRACTICE_DAYS: readonly (readonly number[])[] = [[1, 3, 5], [2, 4], [6]];

export interface HoursSeed {
  /** Local start and end, HH:mm; a practice takes one of these. */
  hours: readonly (readonly [string, string])[];
  slotMinutes: number;
}

/** In-person visits in the morning, video calls in the afternoon, in the hospital's local time. */
export const PRACTICE_HOURS: Readonly<Record<'reservasi' | 'call', HoursSeed>> = {
  reservasi: {
    hours: [
      ['08:00', '12:00'],
      ['08:00', '12:00'],
      ['07:00', '11:00'],
      ['09:00', '12:00'],
    ],
    slotMinutes: 30,
  },
  call: {
    hours: [
      ['13:00', '16:00'],
      ['13:00', '16:00'],
      ['14:00', '17:00'],
      ['15:00', '18:00'],
    ],
    slotMinutes: 20,
  },
};
